package board

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
)

// uvcDescriptors builds the sysfs descriptors of a UVC camera: device,
// configuration, a VideoControl and a VideoStreaming interface, and the
// given VideoStreaming format descriptors.
func uvcDescriptors(formats ...[]byte) []byte {
	b := []byte{18, 0x01, 0x00, 0x02, 0xef, 0x02, 0x01, 64, 0x6d, 0x04, 0x2d, 0x08, 0x11, 0x00, 1, 2, 0, 1} // device 046d:082d
	b = append(b, 9, 0x02, 0, 0, 2, 1, 0, 0x80, 250)                                                        // configuration
	b = append(b, 8, 0x0b, 0, 2, classVideo, 0x03, 0, 0)                                                    // interface association
	b = append(b, 9, descInterface, 0, 0, 1, classVideo, 0x01, 0, 0)                                        // VideoControl
	b = append(b, 13, descCSInterface, 0x01, 0x00, 0x01, 0x4d, 0, 0x00, 0x6c, 0xdc, 0x02, 1, 1)             // VC_HEADER
	b = append(b, 9, descInterface, 1, 0, 0, classVideo, subclassStream, 0, 0)                              // VideoStreaming
	b = append(b, 14, descCSInterface, 0x01, byte(len(formats)), 0, 0, 0x81, 0, 3, 0, 0, 0, 1, 0)           // VS_INPUT_HEADER
	for _, f := range formats {
		b = append(b, f...)
	}
	return b
}

// frameBased returns a VS_FORMAT_FRAME_BASED descriptor for fourcc.
func frameBased(fourcc string) []byte {
	d := []byte{frameFormatLen, descCSInterface, vsFormatFrame, 1, 1}
	d = append(d, fourcc...)
	d = append(d, guidH264[4:]...)
	d = append(d, 16, 1, 0, 0, 0, 0, 1)
	return d
}

var mjpeg = []byte{11, descCSInterface, 0x06, 1, 1, 1, 1, 0, 0, 0, 0}

// camera adds a /dev/video0 with the given driver and USB descriptors.
func camera(fsys fstest.MapFS, driver string, desc []byte) fstest.MapFS {
	fsys["dev/video0"] = &fstest.MapFile{Mode: fs.ModeDevice | fs.ModeCharDevice}
	fsys["sys/class/video4linux/video0/device/uevent"] = &fstest.MapFile{
		Data: []byte("DEVTYPE=usb_interface\nDRIVER=" + driver + "\nPRODUCT=46d/82d/11\nINTERFACE=14/1/0\n")}
	fsys["sys/bus/usb/devices/usb1/idVendor"] = &fstest.MapFile{Data: []byte("1d6b\n")}
	fsys["sys/bus/usb/devices/usb1/idProduct"] = &fstest.MapFile{Data: []byte("0002\n")}
	fsys["sys/bus/usb/devices/1-1/idVendor"] = &fstest.MapFile{Data: []byte("046d\n")}
	fsys["sys/bus/usb/devices/1-1/idProduct"] = &fstest.MapFile{Data: []byte("082d\n")}
	fsys["sys/bus/usb/devices/1-1/descriptors"] = &fstest.MapFile{Data: desc}
	fsys["sys/bus/usb/devices/1-1:1.0/uevent"] = &fstest.MapFile{Data: []byte("DRIVER=uvcvideo\n")}
	return fsys
}

func dt(model, compatible string) fstest.MapFS {
	fsys := fstest.MapFS{}
	if model != "" {
		fsys["proc/device-tree/model"] = &fstest.MapFile{Data: []byte(model + "\x00")}
	}
	if compatible != "" {
		fsys["proc/device-tree/compatible"] = &fstest.MapFile{Data: []byte(compatible + "\x00")}
	}
	return fsys
}

// errFS fails every open with err.
type errFS struct{ err error }

func (e errFS) Open(name string) (fs.File, error) {
	return nil, &fs.PathError{Op: "open", Path: name, Err: e.err}
}

func TestDetect(t *testing.T) {
	h264 := uvcDescriptors(mjpeg, frameBased("H264"))
	tests := []struct {
		name   string
		fsys   fs.FS
		want   string
		reason string // a part of the reason
	}{
		{"Pi 4", dt("Raspberry Pi 4 Model B Rev 1.4", "raspberrypi,4-model-b\x00brcm,bcm2711"),
			"rpi4", `model "Raspberry Pi 4 Model B Rev 1.4" matches "Raspberry Pi 4 Model B*"`},
		{"CM4", dt("Raspberry Pi Compute Module 4 Rev 1.0", ""), "rpi4", "Compute Module 4"},
		{"Pi 5", dt("Raspberry Pi 5 Model B Rev 1.0", "raspberrypi,5-model-b\x00brcm,bcm2712"), "rpi5", "Pi 5"},
		{"QEMU virt", dt("linux,dummy-virt", "linux,dummy-virt"), "qemu-virt", `model "linux,dummy-virt"`},
		{"QEMU virt without a model", dt("", "linux,dummy-virt"), "qemu-virt", `compatible "linux,dummy-virt" matches`},
		{"sysfs device tree only", fstest.MapFS{
			"sys/firmware/devicetree/base/model": &fstest.MapFile{Data: []byte("Raspberry Pi 5 Model B Rev 1.1\x00")},
		}, "rpi5", "Pi 5"},
		{"Pi 400 has no camera connector", dt("Raspberry Pi 400 Rev 1.0", "raspberrypi,400\x00brcm,bcm2711"),
			"sim", `model "Raspberry Pi 400 Rev 1.0" is no known board; no /dev/video0`},
		{"Pi 400 with an H.264 webcam", camera(dt("Raspberry Pi 400 Rev 1.0", ""), "uvcvideo", h264),
			"uvc", "UVC camera (046d:082d) that offers H.264"},
		{"PC with an H.264 webcam", camera(fstest.MapFS{}, "uvcvideo", h264),
			"uvc", "no device tree; /dev/video0 is a UVC camera (046d:082d) that offers H.264"},
		{"PC with an MJPEG webcam", camera(fstest.MapFS{}, "uvcvideo", uvcDescriptors(mjpeg)),
			"sim", "offers no H.264 format; simulating"},
		{"PC with a raw-only frame-based webcam", camera(fstest.MapFS{}, "uvcvideo", uvcDescriptors(frameBased("MJPG"))),
			"sim", "offers no H.264"},
		{"vivid is no UVC camera", camera(fstest.MapFS{}, "vivid", h264), "sim", `no UVC camera (driver "vivid")`},
		{"nothing at all", fstest.MapFS{}, "sim", "no device tree; no /dev/video0; simulating a camera"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, reason, err := Detect(tt.fsys)
			if err != nil {
				t.Fatal(err)
			}
			if p.Name != tt.want || !strings.Contains(reason, tt.reason) {
				t.Errorf("Detect = %s (%s), want %s (reason with %q)", p.Name, reason, tt.want, tt.reason)
			}
		})
	}
}

func TestDetectUnreadable(t *testing.T) {
	_, _, err := Detect(errFS{fs.ErrPermission})
	if err == nil || !strings.Contains(err.Error(), "--board") {
		t.Fatalf("Detect on an unreadable device tree: %v, want an error naming --board", err)
	}
}

func TestOffersH264(t *testing.T) {
	h264 := frameBased("H264")
	vc := []byte{9, descInterface, 0, 0, 1, classVideo, 0x01, 0, 0}
	tests := []struct {
		name string
		desc []byte
		want bool
	}{
		{"H.264 and MJPEG", uvcDescriptors(mjpeg, h264), true},
		{"MJPEG only", uvcDescriptors(mjpeg), false},
		{"H.264 GUID under VideoControl", append(vc, h264...), false},
		{"truncated format", uvcDescriptors(h264[:20]), false},
		{"zero length", []byte{0, 0, 0}, false},
		{"length past the end", []byte{40, descCSInterface}, false},
		{"empty", nil, false},
	}
	for _, tt := range tests {
		if got := offersH264(tt.desc); got != tt.want {
			t.Errorf("%s: offersH264 = %v, want %v", tt.name, got, tt.want)
		}
	}
}
