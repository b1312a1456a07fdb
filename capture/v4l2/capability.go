//go:build linux

package v4l2

import (
	"bytes"
	"fmt"
	"strings"
)

// CapFlag is a set of V4L2_CAP_* capability bits.
type CapFlag uint32

// Capability bits.
const (
	CapVideoCapture       CapFlag = 0x00000001
	CapVideoOutput        CapFlag = 0x00000002
	CapVideoOverlay       CapFlag = 0x00000004
	CapVBICapture         CapFlag = 0x00000010
	CapVideoCaptureMPlane CapFlag = 0x00001000
	CapVideoOutputMPlane  CapFlag = 0x00002000
	CapVideoM2MMPlane     CapFlag = 0x00004000
	CapVideoM2M           CapFlag = 0x00008000
	CapTuner              CapFlag = 0x00010000
	CapAudio              CapFlag = 0x00020000
	CapSDRCapture         CapFlag = 0x00100000
	CapExtPixFormat       CapFlag = 0x00200000
	CapMetaCapture        CapFlag = 0x00800000
	CapReadWrite          CapFlag = 0x01000000
	CapStreaming          CapFlag = 0x04000000
	CapMetaOutput         CapFlag = 0x08000000
	CapTouch              CapFlag = 0x10000000
	CapIOMC               CapFlag = 0x20000000
	CapDeviceCaps         CapFlag = 0x80000000
)

var capNames = []struct {
	f    CapFlag
	name string
}{
	{CapVideoCapture, "video-capture"},
	{CapVideoOutput, "video-output"},
	{CapVideoOverlay, "video-overlay"},
	{CapVBICapture, "vbi-capture"},
	{CapVideoCaptureMPlane, "video-capture-mplane"},
	{CapVideoOutputMPlane, "video-output-mplane"},
	{CapVideoM2MMPlane, "video-m2m-mplane"},
	{CapVideoM2M, "video-m2m"},
	{CapTuner, "tuner"},
	{CapAudio, "audio"},
	{CapSDRCapture, "sdr-capture"},
	{CapExtPixFormat, "ext-pix-format"},
	{CapMetaCapture, "meta-capture"},
	{CapReadWrite, "read-write"},
	{CapStreaming, "streaming"},
	{CapMetaOutput, "meta-output"},
	{CapTouch, "touch"},
	{CapIOMC, "io-mc"},
	{CapDeviceCaps, "device-caps"},
}

// String lists the bits by name, comma separated; unknown bits are
// shown in hex.
func (c CapFlag) String() string {
	var names []string
	rest := c
	for _, n := range capNames {
		if c&n.f != 0 {
			names = append(names, n.name)
			rest &^= n.f
		}
	}
	if rest != 0 {
		names = append(names, fmt.Sprintf("0x%08x", uint32(rest)))
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// Capability is what VIDIOC_QUERYCAP reports.
type Capability struct {
	Driver  string // kernel module, e.g. "uvcvideo", "vivid", "bcm2835-codec"
	Card    string // device name, e.g. "HD Pro Webcam C920"
	BusInfo string // e.g. "usb-0000:01:00.0-1.2", "platform:bcm2835-codec"
	Version uint32 // kernel version, KERNEL_VERSION(a, b, c)
	// Caps are the capabilities of the whole physical device.
	Caps CapFlag
	// DeviceCaps are those of this node, when Caps has CapDeviceCaps.
	DeviceCaps CapFlag
}

// Node returns the capabilities of this device node: DeviceCaps when
// the driver reports them, Caps otherwise.
func (c Capability) Node() CapFlag {
	if c.Caps&CapDeviceCaps != 0 {
		return c.DeviceCaps
	}
	return c.Caps
}

// IsM2M reports whether the node is a memory-to-memory device (a codec
// or converter with both an output and a capture queue).
func (c Capability) IsM2M() bool {
	n := c.Node()
	if n&(CapVideoM2M|CapVideoM2MMPlane) != 0 {
		return true
	}
	// Some older drivers set the capture and output bits instead.
	return n&(CapVideoCapture|CapVideoCaptureMPlane) != 0 && n&(CapVideoOutput|CapVideoOutputMPlane) != 0
}

// IsCapture reports whether the node captures video by itself: a
// camera or grabber, not an M2M device.
func (c Capability) IsCapture() bool {
	return c.Node()&(CapVideoCapture|CapVideoCaptureMPlane) != 0 && !c.IsM2M()
}

// IsMultiPlanar reports whether the node uses the multi-planar API.
func (c Capability) IsMultiPlanar() bool {
	return c.Node()&(CapVideoCaptureMPlane|CapVideoOutputMPlane|CapVideoM2MMPlane) != 0
}

// CanStream reports whether the node supports streaming I/O.
func (c Capability) CanStream() bool { return c.Node()&CapStreaming != 0 }

// CaptureType is the node's capture queue type (single- or
// multi-planar), the one to stream frames from.
func (c Capability) CaptureType() BufType {
	n := c.Node()
	if n&(CapVideoCaptureMPlane|CapVideoM2MMPlane) != 0 && n&CapVideoCapture == 0 {
		return VideoCaptureMPlane
	}
	return VideoCapture
}

// OutputType is the node's output queue type: where an M2M encoder
// takes its raw pictures.
func (c Capability) OutputType() BufType {
	n := c.Node()
	if n&(CapVideoOutputMPlane|CapVideoM2MMPlane) != 0 && n&CapVideoOutput == 0 {
		return VideoOutputMPlane
	}
	return VideoOutput
}

// KernelVersion formats Version as "6.1.0".
func (c Capability) KernelVersion() string {
	return fmt.Sprintf("%d.%d.%d", c.Version>>16, c.Version>>8&0xff, c.Version&0xff)
}

// decodeCapability converts the kernel struct.
func decodeCapability(k *capability) Capability {
	return Capability{
		Driver:     cString(k.Driver[:]),
		Card:       cString(k.Card[:]),
		BusInfo:    cString(k.BusInfo[:]),
		Version:    k.Version,
		Caps:       CapFlag(k.Capabilities),
		DeviceCaps: CapFlag(k.DeviceCaps),
	}
}

// cString returns the NUL-terminated string at the start of b, or all
// of b when there is no NUL, with invalid UTF-8 replaced and surrounding
// spaces trimmed: drivers fill these from USB descriptors.
func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return strings.TrimSpace(strings.ToValidUTF8(string(b), "\uFFFD"))
}
