//go:build linux

// Package sysfd holds the raw system calls the kernel-interface packages
// (capture/alsa, capture/v4l2, board/gpio, board/watchdog) make on
// device files through their Sys seams. Each package's real Sys
// delegates here, so the EINTR handling and the errno conversion are
// written once.
package sysfd

import (
	"errors"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Open opens path with the open(2) flags given, retrying on EINTR. It
// uses unix.Open rather than os.OpenFile, so that the descriptor stays
// out of Go's poller: the callers poll (or block on) it themselves.
func Open(path string, flags int) (int, error) {
	for {
		fd, err := unix.Open(path, flags, 0)
		if !errors.Is(err, unix.EINTR) {
			return fd, err
		}
	}
}

// Ioctl issues request req with argument arg (a pointer to a value of
// the size req encodes, or nil) as a raw system call. The error is a
// unix.Errno, or nil.
func Ioctl(fd int, req uint, arg unsafe.Pointer) error {
	_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), uintptr(req), uintptr(arg))
	if errno != 0 {
		return errno
	}
	return nil
}
