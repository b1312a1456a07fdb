//go:build linux

package v4l2_test

import (
	"errors"
	"io/fs"
	"slices"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/p2pcam/p2pcam/capture/v4l2"
	"github.com/p2pcam/p2pcam/capture/v4l2/v4l2test"
)

// open serves d at /dev/video0 of a fresh fake kernel and opens it.
func open(t *testing.T, d *v4l2test.Device) *v4l2.Device {
	t.Helper()
	k := v4l2test.NewKernel()
	k.Add("/dev/video0", d)
	dev, err := v4l2.OpenWith(k, "/dev/video0")
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { dev.Close() })
	return dev
}

// notV4L2 is a kernel whose device answers no ioctl.
type notV4L2 struct{ *v4l2test.Kernel }

func (notV4L2) Ioctl(int, uint, unsafe.Pointer) error { return unix.ENOTTY }

func TestOpenErrors(t *testing.T) {
	gone := v4l2test.NewCamera()
	gone.Vanish()
	k := v4l2test.NewKernel()
	k.Add("/dev/video0", v4l2test.NewCamera())
	k.Add("/dev/video1", gone)
	tests := []struct {
		name string
		sys  v4l2.Sys
		path string
		want error
	}{
		{"missing node", k, "/dev/video9", fs.ErrNotExist},
		{"vanished device", k, "/dev/video1", v4l2.ErrGone},
		{"not a V4L2 device", notV4L2{k}, "/dev/video0", v4l2.ErrNotV4L2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := v4l2.OpenWith(tc.sys, tc.path)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if d != nil {
				t.Fatal("got a device with the error")
			}
		})
	}
}

func TestCapability(t *testing.T) {
	tests := []struct {
		name                 string
		dev                  *v4l2test.Device
		driver, card, bus    string
		capture, m2m, mplane bool
		captureType, outType v4l2.BufType
		node                 string
	}{
		{"camera", v4l2test.NewCamera(), "uvcvideo", "Fake UVC Camera", "usb-0000:00:14.0-1",
			true, false, false, v4l2.VideoCapture, v4l2.VideoOutput,
			"video-capture, ext-pix-format, streaming"},
		{"encoder", v4l2test.NewEncoder(), "bcm2835-codec", "bcm2835-codec-encode", "platform:bcm2835-codec",
			false, true, true, v4l2.VideoCaptureMPlane, v4l2.VideoOutputMPlane,
			"video-m2m-mplane, ext-pix-format, streaming"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := open(t, tc.dev).Capability()
			if c.Driver != tc.driver || c.Card != tc.card || c.BusInfo != tc.bus {
				t.Errorf("identity = %q %q %q", c.Driver, c.Card, c.BusInfo)
			}
			if c.IsCapture() != tc.capture || c.IsM2M() != tc.m2m || c.IsMultiPlanar() != tc.mplane || !c.CanStream() {
				t.Errorf("capture %v m2m %v mplane %v stream %v", c.IsCapture(), c.IsM2M(), c.IsMultiPlanar(), c.CanStream())
			}
			if c.CaptureType() != tc.captureType || c.OutputType() != tc.outType {
				t.Errorf("types = %v, %v", c.CaptureType(), c.OutputType())
			}
			if got := c.Node().String(); got != tc.node {
				t.Errorf("node caps = %q, want %q", got, tc.node)
			}
			if c.Caps&v4l2.CapDeviceCaps == 0 {
				t.Errorf("caps %v lack device-caps", c.Caps)
			}
			if c.KernelVersion() != "6.1.0" {
				t.Errorf("version = %s", c.KernelVersion())
			}
		})
	}
}

func TestCloseTwice(t *testing.T) {
	cam := v4l2test.NewCamera()
	d := open(t, cam)
	if _, err := d.RequestBuffers(v4l2.VideoCapture, 2); err != nil {
		t.Fatal(err)
	}
	if err := d.StreamOn(v4l2.VideoCapture); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if err := d.Close(); err != nil {
			t.Fatalf("close %d: %v", i+1, err)
		}
	}
	if n := cam.Mapped(); n != 0 {
		t.Errorf("%d planes still mapped after Close", n)
	}
	calls := cam.Calls()
	if n := count(calls, "close"); n != 1 {
		t.Errorf("closed %d times: %v", n, calls)
	}
	if !slices.Contains(calls, "STREAMOFF") {
		t.Errorf("Close did not stop streaming: %v", calls)
	}
	after := []struct {
		name string
		call func() error
	}{
		{"Formats", func() error { _, err := d.Formats(v4l2.VideoCapture); return err }},
		{"SetFormat", func() error { _, err := d.SetFormat(v4l2.VideoCapture, v4l2.PixFmtYUYV, 640, 480); return err }},
		{"Controls", func() error { _, err := d.Controls(); return err }},
		{"Dequeue", func() error { _, err := d.Dequeue(v4l2.VideoCapture); return err }},
		{"RequestBuffers", func() error { _, err := d.RequestBuffers(v4l2.VideoCapture, 2); return err }},
	}
	for _, tc := range after {
		if err := tc.call(); !errors.Is(err, v4l2.ErrClosed) {
			t.Errorf("%s after Close: %v, want ErrClosed", tc.name, err)
		}
	}
}

func count(calls []string, name string) int {
	n := 0
	for _, c := range calls {
		if c == name {
			n++
		}
	}
	return n
}

// TestRealKernel runs the real system calls where no V4L2 device is
// needed: a character device that is not V4L2, and a missing node.
func TestRealKernel(t *testing.T) {
	tests := []struct {
		path string
		want error
	}{
		{"/dev/null", v4l2.ErrNotV4L2},
		{"/dev/no-such-video-node", fs.ErrNotExist},
	}
	for _, tc := range tests {
		if _, err := v4l2.Open(tc.path); !errors.Is(err, tc.want) {
			t.Errorf("Open(%s) = %v, want %v", tc.path, err, tc.want)
		}
	}
	if _, err := v4l2.List(); err != nil {
		t.Errorf("List: %v", err)
	}
}
