//go:build linux

package watchdog

import (
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/p2pcam/p2pcam/internal/sysfd"
)

// Sys is the kernel seam: every system call a Device makes goes through
// it. [Kernel] is the real one. Implementations must be safe for
// concurrent use.
type Sys interface {
	// Open opens the device for writing, close-on-exec. Opening a
	// watchdog arms it.
	Open(path string) (int, error)
	// Write writes p to the device.
	Write(fd int, p []byte) (int, error)
	// Ioctl issues request req with argument arg, which points to a
	// value of the size encoded in req. Errors are unix.Errno values.
	Ioctl(fd int, req uint, arg unsafe.Pointer) error
	// Close closes a descriptor Open returned.
	Close(fd int) error
}

// Kernel is the Sys of the running kernel.
var Kernel Sys = kernel{}

type kernel struct{}

func (kernel) Open(path string) (int, error) {
	return sysfd.Open(path, unix.O_WRONLY|unix.O_CLOEXEC)
}

func (kernel) Write(fd int, p []byte) (int, error) { return unix.Write(fd, p) }

func (kernel) Ioctl(fd int, req uint, arg unsafe.Pointer) error {
	return sysfd.Ioctl(fd, req, arg)
}

func (kernel) Close(fd int) error { return unix.Close(fd) }
