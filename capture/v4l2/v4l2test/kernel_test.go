//go:build linux

package v4l2test

import (
	"errors"
	"slices"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

func TestDecode(t *testing.T) {
	tests := []struct {
		name string
		req  uint
		want request
	}{
		{"STREAMON", 0x40045612, request{nr: 18, size: 4, write: true, validType: true}},
		{"QUERYCAP", 0x80685600, request{nr: 0, size: 104, read: true, validType: true}},
		{"S_CTRL", 0xc008561c, request{nr: 28, size: 8, read: true, write: true, validType: true}},
		{"not V4L2", 0x80045401, request{nr: 1, size: 4, read: true}},
	}
	if iocSizeBits == 13 { // MIPS and PowerPC
		tests[0].req, tests[1].req = 0x80045612, 0x40685600
		tests[3].req = 0x40045401
	}
	for _, tc := range tests {
		if got := decode(tc.req); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

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
