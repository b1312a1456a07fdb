//go:build linux

package gpio

import (
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/p2pcam/p2pcam/internal/sysfd"
)

// Sys is the kernel seam: every system call the package makes goes
// through it. [Kernel] is the real one; package gpiotest has a fake.
// Implementations must be safe for concurrent use.
type Sys interface {
	// Open opens a chip device for reading and writing, close-on-exec.
	Open(path string) (int, error)
	// Close closes a descriptor from Open or from GPIO_V2_GET_LINE_IOCTL.
	Close(fd int) error
	// Ioctl issues request req with argument arg, which points to a
	// value of the size encoded in req. Errors are unix.Errno values.
	Ioctl(fd int, req uint, arg unsafe.Pointer) error
	// Poll waits up to timeout for fd to be readable (an edge event is
	// queued) and reports whether it is.
	Poll(fd int, timeout time.Duration) (bool, error)
	// Read reads queued edge events, whole gpio_v2_line_event structs,
	// from a line descriptor.
	Read(fd int, p []byte) (int, error)
}

// Kernel is the Sys of the running kernel.
var Kernel Sys = kernel{}

type kernel struct{}

// Open uses unix.Open: a line descriptor needs no poller.
func (kernel) Open(path string) (int, error) {
	return sysfd.Open(path, unix.O_RDWR|unix.O_CLOEXEC)
}

// Close closes the descriptor.
func (kernel) Close(fd int) error { return unix.Close(fd) }

// Poll waits with poll(2); an interrupted wait reports not readable.
func (kernel) Poll(fd int, timeout time.Duration) (bool, error) {
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	n, err := unix.Poll(fds, int(timeout/time.Millisecond))
	if err == unix.EINTR {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return n > 0 && fds[0].Revents&unix.POLLIN != 0, nil
}

// Read reads with read(2).
func (kernel) Read(fd int, p []byte) (int, error) { return unix.Read(fd, p) }

// Ioctl issues the request with a raw system call.
func (kernel) Ioctl(fd int, req uint, arg unsafe.Pointer) error {
	return sysfd.Ioctl(fd, req, arg)
}
