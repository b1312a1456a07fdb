//go:build linux

package alsa

import (
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/p2pcam/p2pcam/internal/sysfd"
)

// Sys is the kernel seam: every system call the package makes on a
// device file goes through it. [Kernel] is the real one; tests put a
// fake in its place (package alsatest). Implementations must be safe for
// concurrent use.
type Sys interface {
	// Open opens the device file at path with the given open(2) flags
	// and returns its descriptor.
	Open(path string, flags int) (int, error)
	// Close closes a descriptor Open returned.
	Close(fd int) error
	// Ioctl issues request req with argument arg, which points to a
	// value of the size encoded in req (or is nil for requests that take
	// none). Errors are unix.Errno values.
	Ioctl(fd int, req uint, arg unsafe.Pointer) error
	// Poll waits as poll(2) does, timeout in milliseconds (-1: forever).
	// fds may include descriptors that are not devices (the PCM's
	// wake-up eventfd), which a fake must poll for real.
	Poll(fds []unix.PollFd, timeout int) (int, error)
}

// Kernel is the Sys of the running kernel.
var Kernel Sys = kernel{}

type kernel struct{}

// Open uses unix.Open rather than os.OpenFile, so that the descriptor
// stays out of Go's poller: the package polls it itself.
func (kernel) Open(path string, flags int) (int, error) {
	return sysfd.Open(path, flags)
}

func (kernel) Close(fd int) error { return unix.Close(fd) }

func (kernel) Ioctl(fd int, req uint, arg unsafe.Pointer) error {
	return sysfd.Ioctl(fd, req, arg)
}

func (kernel) Poll(fds []unix.PollFd, timeout int) (int, error) { return unix.Poll(fds, timeout) }
