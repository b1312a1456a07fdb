//go:build linux

package ioctltest

import (
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestPollFake(t *testing.T) {
	tests := []struct {
		name    string
		rev     int16
		timeout int
		want    int
	}{
		{"ready", unix.POLLIN, -1, 1},
		{"closed", unix.POLLNVAL, -1, 1},
		{"idle", 0, 0, 0},
	}
	for _, tc := range tests {
		fds := []unix.PollFd{{Fd: FDBase, Events: unix.POLLIN}}
		n, err := Poll(fds, tc.timeout, func(int, int16) (int16, time.Duration) { return tc.rev, -1 })
		if err != nil || n != tc.want || fds[0].Revents != tc.rev {
			t.Errorf("%s: Poll = %d, %v, revents %#x; want %d, nil, %#x", tc.name, n, err, fds[0].Revents, tc.want, tc.rev)
		}
	}
}

// TestPollReal checks that a real descriptor wakes Poll while the fake
// one has nothing to report.
func TestPollReal(t *testing.T) {
	efd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(efd)
	if _, err := unix.Write(efd, []byte{1, 0, 0, 0, 0, 0, 0, 0}); err != nil {
		t.Fatal(err)
	}
	fds := []unix.PollFd{{Fd: FDBase, Events: unix.POLLIN}, {Fd: int32(efd), Events: unix.POLLIN}}
	n, err := Poll(fds, -1, func(int, int16) (int16, time.Duration) { return 0, -1 })
	if err != nil || n != 1 || fds[0].Revents != 0 || fds[1].Revents&unix.POLLIN == 0 {
		t.Fatalf("Poll = %d, %v, revents %#x %#x; want the eventfd readable", n, err, fds[0].Revents, fds[1].Revents)
	}
}
