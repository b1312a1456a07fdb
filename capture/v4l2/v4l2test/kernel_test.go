//go:build linux

package v4l2test

import (
	"errors"
	"slices"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/p2pcam/p2pcam/capture/v4l2"
)

func TestKernelRefuses(t *testing.T) {
	k := NewKernel()
	cam := NewCamera()
	k.Add("/dev/video0", cam)
	fd, err := k.Open("/dev/video0")
	if err != nil {
		t.Fatal(err)
	}
	var arg [4]byte
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"unknown request", k.Ioctl(fd, 0xc0045699, unsafe.Pointer(&arg)), unix.ENOTTY},
		{"wrong size", k.Ioctl(fd, 0x40085612, unsafe.Pointer(&arg)), unix.ENOTTY},
		{"bad descriptor", k.Ioctl(fd+1, 0x40045612, unsafe.Pointer(&arg)), unix.EBADF},
		{"mmap nothing", func() error { _, err := k.Mmap(fd, 0, 4096); return err }(), unix.EINVAL},
		{"munmap foreign", k.Munmap(make([]byte, 8)), unix.EINVAL},
		{"close twice", func() error { k.Close(fd); return k.Close(fd) }(), unix.EBADF},
	}
	for _, tc := range tests {
		if !errors.Is(tc.err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, tc.err, tc.want)
		}
	}
	if calls := cam.Calls(); !slices.Contains(calls, "unknown(0xc0045699)") {
		t.Errorf("calls %q", calls)
	}
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	if n, err := k.Poll(fds, 0); n != 1 || err != nil || fds[0].Revents != unix.POLLNVAL {
		t.Errorf("poll closed descriptor: %d %v revents %#x", n, err, fds[0].Revents)
	}
}

// TestKernelPerOpen: with PerOpen, each open file of an M2M encoder is
// a context of its own, as in the kernel: formats, buffers and
// controls of one do not touch the other's.
func TestKernelPerOpen(t *testing.T) {
	k := NewKernel()
	enc := NewEncoder()
	enc.PerOpen = true
	k.Add("/dev/video11", enc)
	sizes := []uint32{640, 320}
	var devs []*v4l2.Device
	for i, w := range sizes {
		d, err := v4l2.OpenWith(k, "/dev/video11")
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		caps := d.Capability()
		if _, err := d.SetFormat(caps.OutputType(), v4l2.PixFmtYUV420, w, w/2); err != nil {
			t.Fatalf("open %d: S_FMT: %v", i, err)
		}
		if _, err := d.RequestBuffers(caps.OutputType(), 2); err != nil {
			t.Fatalf("open %d: REQBUFS: %v", i, err) // EBUSY if the queue were shared
		}
		if err := d.SetControls(v4l2.ControlValue{ID: v4l2.CIDVideoBitrate, Value: int64(w) * 2500}); err != nil {
			t.Fatal(err)
		}
		devs = append(devs, d)
	}
	ctxs := enc.Contexts()
	if len(ctxs) != 2 || !slices.Equal(enc.Calls(), []string{"open", "open"}) {
		t.Fatalf("%d contexts, template calls %q", len(ctxs), enc.Calls())
	}
	for i, d := range devs {
		f, err := d.GetFormat(d.Capability().OutputType())
		if err != nil || f.Width != sizes[i] {
			t.Errorf("open %d: format %v, %v; want width %d", i, f, err, sizes[i])
		}
		if got := ctxs[i].Value(v4l2.CIDVideoBitrate); got != int64(sizes[i])*2500 {
			t.Errorf("context %d: bitrate %d", i, got)
		}
	}
}
