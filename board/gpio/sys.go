//go:build linux

package gpio

import (
	"errors"
	"unsafe"

	"golang.org/x/sys/unix"
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
	for {
		fd, err := unix.Open(path, unix.O_RDWR|unix.O_CLOEXEC, 0)
		if !errors.Is(err, unix.EINTR) {
			return fd, err
		}
	}
}

// Close closes the descriptor.
func (kernel) Close(fd int) error { return unix.Close(fd) }

// Ioctl issues the request with a raw system call.
func (kernel) Ioctl(fd int, req uint, arg unsafe.Pointer) error {
	_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), uintptr(req), uintptr(arg))
	if errno != 0 {
		return errno
	}
	return nil
}
