//go:build linux

package v4l2

import (
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/p2pcam/p2pcam/internal/sysfd"
)

// Sys is the kernel seam: every system call a [Device] makes on its
// device goes through it. [Kernel] is the real one; tests put a fake in
// its place (package v4l2test). Implementations must be safe for
// concurrent use.
type Sys interface {
	// Open opens a device node for reading and writing, non-blocking
	// and close-on-exec, and returns its file descriptor.
	Open(path string) (int, error)
	// Close closes a descriptor Open returned.
	Close(fd int) error
	// Ioctl issues request req with argument arg, which points to a
	// value of the size encoded in req. Errors are unix.Errno values.
	Ioctl(fd int, req uint, arg unsafe.Pointer) error
	// Mmap maps length bytes of the device at offset, shared, for
	// reading and writing.
	Mmap(fd int, offset int64, length int) ([]byte, error)
	// Munmap unmaps memory Mmap returned.
	Munmap(b []byte) error
	// Poll waits as poll(2) does, timeout in milliseconds (-1: forever).
	// fds may include descriptors that are not devices (the Device's
	// wake-up eventfd), which a fake must poll for real.
	Poll(fds []unix.PollFd, timeout int) (int, error)
}

// Kernel is the Sys of the running kernel.
var Kernel Sys = kernel{}

type kernel struct{}

// Open uses unix.Open rather than os.OpenFile: registering the
// descriptor with Go's poller makes some drivers (uvcvideo) refuse
// VIDIOC_REQBUFS with EBUSY.
func (kernel) Open(path string) (int, error) {
	return sysfd.Open(path, unix.O_RDWR|unix.O_NONBLOCK|unix.O_CLOEXEC)
}

// Close closes the descriptor.
func (kernel) Close(fd int) error { return unix.Close(fd) }

// Ioctl issues the request with a raw system call.
func (kernel) Ioctl(fd int, req uint, arg unsafe.Pointer) error {
	return sysfd.Ioctl(fd, req, arg)
}

// Mmap maps the plane shared, readable and writable.
func (kernel) Mmap(fd int, offset int64, length int) ([]byte, error) {
	return unix.Mmap(fd, offset, length, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
}

// Munmap unmaps memory Mmap returned.
func (kernel) Munmap(b []byte) error { return unix.Munmap(b) }

// Poll is poll(2).
func (kernel) Poll(fds []unix.PollFd, timeout int) (int, error) { return unix.Poll(fds, timeout) }
