//go:build linux

package v4l2

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Kind is what a device node is for p2pcam.
type Kind int

// Device kinds.
const (
	KindOther   Kind = iota // metadata nodes, ISPs, converters, outputs
	KindCamera              // captures video by itself
	KindEncoder             // M2M device turning raw pictures into a compressed stream
	KindDecoder             // M2M device turning a compressed stream into pictures
)

// String returns "camera", "encoder (M2M)", "decoder (M2M)" or "other".
func (k Kind) String() string {
	switch k {
	case KindCamera:
		return "camera"
	case KindEncoder:
		return "encoder (M2M)"
	case KindDecoder:
		return "decoder (M2M)"
	}
	return "other"
}

// DeviceInfo describes one device node, for discovery.
type DeviceInfo struct {
	Path string
	// Name is the node's name from sysfs; often the same as Card.
	Name       string
	Capability Capability
	Kind       Kind
	// Formats lists the formats of the capture queue of a camera, and
	// of both queues of an M2M device, with sizes and frame rates.
	Formats []FormatInfo
	// Controls lists the device's controls.
	Controls []ControlInfo
	// Err says why the node could not be opened or fully described;
	// the fields above hold what was learnt before.
	Err error
}

// FormatInfo is a format with its frame sizes.
type FormatInfo struct {
	FormatDesc
	Sizes []SizeInfo
}

// SizeInfo is a frame size with its frame intervals. For a stepwise
// size, the intervals are those at the largest size.
type SizeInfo struct {
	FrameSize
	Intervals []FrameInterval
}

// Scanner finds V4L2 devices. Its zero value scans the running
// system; tests set the fields to point at a fake.
type Scanner struct {
	// Sys defaults to Kernel.
	Sys Sys
	// Dev is the directory holding the video* nodes; "/dev" by default.
	Dev string
	// Class is the sysfs class directory naming them;
	// "/sys/class/video4linux" by default.
	Class string
}

// List describes every /dev/video* node of the system.
func List() ([]DeviceInfo, error) { return Scanner{}.List() }

// List describes every video* node in s.Dev, in numeric order. A node
// that cannot be opened (busy, no permission) is still listed, with Err
// set; List itself fails only when the directory cannot be read.
func (s Scanner) List() ([]DeviceInfo, error) {
	sys, dev, class := s.Sys, s.Dev, s.Class
	if sys == nil {
		sys = Kernel
	}
	if dev == "" {
		dev = "/dev"
	}
	if class == "" {
		class = "/sys/class/video4linux"
	}
	entries, err := os.ReadDir(dev)
	if err != nil {
		return nil, fmt.Errorf("v4l2: list devices: %w", err)
	}
	var names []string
	for _, e := range entries {
		if n, ok := strings.CutPrefix(e.Name(), "video"); ok {
			if _, err := strconv.Atoi(n); err == nil {
				names = append(names, e.Name())
			}
		}
	}
	slices.SortFunc(names, func(a, b string) int {
		x, _ := strconv.Atoi(a[len("video"):])
		y, _ := strconv.Atoi(b[len("video"):])
		return x - y
	})
	out := make([]DeviceInfo, 0, len(names))
	for _, n := range names {
		info := Inspect(sys, filepath.Join(dev, n))
		if b, err := os.ReadFile(filepath.Join(class, n, "name")); err == nil {
			info.Name = strings.TrimSpace(string(b))
		}
		out = append(out, info)
	}
	return out, nil
}

// Inspect opens the node at path through sys and describes it.
func Inspect(sys Sys, path string) DeviceInfo {
	info := DeviceInfo{Path: path}
	d, err := OpenWith(sys, path)
	if err != nil {
		info.Err = err
		return info
	}
	defer d.Close()
	info.Capability = d.Capability()
	info.Formats, info.Err = d.describeFormats()
	info.Kind = kindOf(info.Capability, info.Formats)
	if info.Err == nil {
		info.Controls, info.Err = d.Controls()
	}
	return info
}

// describeFormats lists the formats of the queues that matter.
func (d *Device) describeFormats() ([]FormatInfo, error) {
	var types []BufType
	switch {
	case d.caps.IsM2M():
		types = []BufType{d.caps.OutputType(), d.caps.CaptureType()}
	case d.caps.IsCapture():
		types = []BufType{d.caps.CaptureType()}
	}
	var out []FormatInfo
	for _, t := range types {
		fmts, err := d.Formats(t)
		if err != nil {
			return out, err
		}
		for _, f := range fmts {
			fi := FormatInfo{FormatDesc: f}
			sizes, err := d.FrameSizes(f.PixelFormat)
			if err != nil {
				return append(out, fi), err
			}
			for _, s := range sizes {
				w, h := s.Width, s.Height
				if s.Kind != Discrete {
					w, h = s.MaxWidth, s.MaxHeight
				}
				ivs, err := d.FrameIntervals(f.PixelFormat, w, h)
				if err != nil {
					return append(out, fi), err
				}
				fi.Sizes = append(fi.Sizes, SizeInfo{FrameSize: s, Intervals: ivs})
			}
			out = append(out, fi)
		}
	}
	return out, nil
}

// kindOf classifies a node: an M2M device is an encoder when its
// capture queue offers a compressed format and its output queue a raw
// one, and a decoder the other way round.
func kindOf(c Capability, fmts []FormatInfo) Kind {
	if c.IsCapture() {
		return KindCamera
	}
	if !c.IsM2M() {
		return KindOther
	}
	var rawIn, codedIn, codedOut bool
	for _, f := range fmts {
		switch {
		case f.Type.IsOutput() && f.Compressed():
			codedIn = true
		case f.Type.IsOutput():
			rawIn = true
		case f.Compressed():
			codedOut = true
		}
	}
	switch {
	case rawIn && codedOut:
		return KindEncoder
	case codedIn && !codedOut:
		return KindDecoder
	}
	return KindOther
}
