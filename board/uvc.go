package board

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"
)

// USB and UVC descriptor constants (USB 2.0 section 9.6; UVC 1.1
// section 3.9).
const (
	descInterface   = 0x04
	descCSInterface = 0x24
	classVideo      = 0x0e
	subclassStream  = 0x02 // VideoStreaming
	vsFormatFrame   = 0x10 // VS_FORMAT_FRAME_BASED
	frameFormatLen  = 28   // its bLength
	guidOffset      = 5    // guidFormat within it
)

// guidH264 is the frame-based format GUID that uvcvideo reports as
// V4L2_PIX_FMT_H264 ("H264" then the standard media-subtype suffix).
// uvcvideo ignores the UVC 1.5 VS_FORMAT_H264 descriptor, so that is not
// looked for.
var guidH264 = []byte{'H', '2', '6', '4', 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71}

// maxDescriptors bounds the sysfs descriptors file read: a device's
// configuration is at most 64 KiB (wTotalLength is 16 bits).
const maxDescriptors = 64<<10 + 18

// uvcH264 reports whether /dev/NODE is a UVC camera that offers H.264,
// from sysfs: the node's USB interface must be bound to uvcvideo, and the
// descriptors of the USB device with its vendor and product must hold a
// VideoStreaming frame-based format with the H.264 GUID. why says what
// was found, for the log.
func uvcH264(fsys fs.FS, node string) (ok bool, why string) {
	dev := "/dev/" + node
	if _, err := fs.Stat(fsys, "dev/"+node); err != nil {
		return false, "no " + dev
	}
	uevent, err := fs.ReadFile(fsys, "sys/class/video4linux/"+node+"/device/uevent")
	if err != nil {
		return false, fmt.Sprintf("%s: no sysfs entry (%v)", dev, err)
	}
	kv := parseUevent(uevent)
	if kv["DRIVER"] != "uvcvideo" {
		return false, fmt.Sprintf("%s is no UVC camera (driver %q)", dev, kv["DRIVER"])
	}
	vid, pid, ok := parseProduct(kv["PRODUCT"])
	if !ok {
		return false, fmt.Sprintf("%s: UVC camera with unreadable PRODUCT %q", dev, kv["PRODUCT"])
	}
	id := fmt.Sprintf("%04x:%04x", vid, pid)
	desc, err := usbDescriptors(fsys, vid, pid)
	if err != nil {
		return false, fmt.Sprintf("%s: UVC camera %s: %v", dev, id, err)
	}
	if !offersH264(desc) {
		return false, fmt.Sprintf("%s: UVC camera %s offers no H.264 format", dev, id)
	}
	return true, fmt.Sprintf("%s is a UVC camera (%s) that offers H.264", dev, id)
}

func parseUevent(b []byte) map[string]string {
	kv := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			kv[k] = v
		}
	}
	return kv
}

// parseProduct parses a USB uevent PRODUCT, "46d/82d/11": vendor,
// product and release in hex without leading zeros.
func parseProduct(s string) (vid, pid uint64, ok bool) {
	f := strings.Split(s, "/")
	if len(f) != 3 {
		return 0, 0, false
	}
	vid, err1 := strconv.ParseUint(f[0], 16, 16)
	pid, err2 := strconv.ParseUint(f[1], 16, 16)
	return vid, pid, err1 == nil && err2 == nil
}

// usbDescriptors returns the descriptors of the USB device with vendor
// vid and product pid from /sys/bus/usb/devices/*/descriptors.
func usbDescriptors(fsys fs.FS, vid, pid uint64) ([]byte, error) {
	const dir = "sys/bus/usb/devices"
	ents, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	for _, e := range ents {
		if strings.Contains(e.Name(), ":") {
			continue // an interface, not a device
		}
		base := dir + "/" + e.Name() + "/"
		if readHex(fsys, base+"idVendor") != vid || readHex(fsys, base+"idProduct") != pid {
			continue
		}
		f, err := fsys.Open(base + "descriptors")
		if err != nil {
			return nil, err
		}
		defer f.Close()
		return io.ReadAll(io.LimitReader(f, maxDescriptors))
	}
	return nil, errors.New("no USB device in " + dir)
}

func readHex(fsys fs.FS, name string) uint64 {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return 1 << 32 // matches no 16-bit id
	}
	v, err := strconv.ParseUint(string(bytes.TrimSpace(b)), 16, 16)
	if err != nil {
		return 1 << 32
	}
	return v
}

// offersH264 walks USB descriptors (each starts with bLength and
// bDescriptorType) for a frame-based H.264 format of a VideoStreaming
// interface. Malformed input ends the walk.
func offersH264(b []byte) bool {
	streaming := false
	for len(b) >= 2 {
		n := int(b[0])
		if n < 2 || n > len(b) {
			return false
		}
		d := b[:n]
		switch d[1] {
		case descInterface:
			streaming = n >= 7 && d[5] == classVideo && d[6] == subclassStream
		case descCSInterface:
			if streaming && n >= frameFormatLen && d[2] == vsFormatFrame &&
				bytes.Equal(d[guidOffset:guidOffset+16], guidH264) {
				return true
			}
		}
		b = b[n:]
	}
	return false
}
