//go:build linux

package watchdog

import (
	"errors"
	"unsafe"

	"golang.org/x/sys/unix"
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
	for {
		fd, err := unix.Open(path, unix.O_WRONLY|unix.O_CLOEXEC, 0)
		if !errors.Is(err, unix.EINTR) {
			return fd, err
		}
	}
}

func (kernel) Write(fd int, p []byte) (int, error) { return unix.Write(fd, p) }

func (kernel) Ioctl(fd int, req uint, arg unsafe.Pointer) error {
	_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), uintptr(req), uintptr(arg))
	if errno != 0 {
		return errno
	}
	return nil
}

func (kernel) Close(fd int) error { return unix.Close(fd) }
