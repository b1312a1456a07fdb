//go:build linux

package gpio

import (
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

// Ioctl issues the request with a raw system call.
func (kernel) Ioctl(fd int, req uint, arg unsafe.Pointer) error {
	return sysfd.Ioctl(fd, req, arg)
}
