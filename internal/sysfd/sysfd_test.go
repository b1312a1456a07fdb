//go:build linux

package sysfd

import (
	"errors"
	"path/filepath"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

func TestOpenMissing(t *testing.T) {
	_, err := Open(filepath.Join(t.TempDir(), "none"), unix.O_RDONLY|unix.O_CLOEXEC)
	if !errors.Is(err, unix.ENOENT) {
		t.Fatalf("Open of a missing file: %v, want ENOENT", err)
	}
}

func TestIoctlErrno(t *testing.T) {
	fd, err := Open(t.TempDir(), unix.O_RDONLY|unix.O_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	var ws unix.Winsize
	// A directory is no terminal.
	if err := Ioctl(fd, unix.TIOCGWINSZ, unsafe.Pointer(&ws)); !errors.Is(err, unix.ENOTTY) {
		t.Fatalf("TIOCGWINSZ on a directory: %v, want ENOTTY", err)
	}
	if err := Ioctl(-1, unix.TIOCGWINSZ, unsafe.Pointer(&ws)); !errors.Is(err, unix.EBADF) {
		t.Fatalf("Ioctl on fd -1: %v, want EBADF", err)
	}
}
