//go:build linux

// Package ptytest opens pseudo-terminal pairs for tests of serial
// devices: the code under test opens the slave's path as its serial
// port, and the test reads and writes the master as the device would.
package ptytest

import (
	"io"
	"os"
	"strconv"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Open opens a pseudo-terminal pair and returns the master end
// (closed at the test's end) and the path of the slave end. It skips
// the test where the system has no pseudo-terminals.
func Open(t testing.TB) (*os.File, string) {
	t.Helper()
	fd, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		unix.Close(fd)
		t.Fatalf("unlockpt: %v", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		unix.Close(fd)
		t.Fatalf("ptsname: %v", err)
	}
	master := os.NewFile(uintptr(fd), "/dev/ptmx")
	t.Cleanup(func() { master.Close() })
	return master, "/dev/pts/" + strconv.Itoa(n)
}

// Read reads exactly n bytes from master within d.
func Read(t testing.TB, master *os.File, n int, d time.Duration) []byte {
	t.Helper()
	b := make([]byte, n)
	_ = master.SetReadDeadline(time.Now().Add(d))
	if _, err := io.ReadFull(master, b); err != nil {
		t.Fatalf("the device got no %d bytes within %v: %v", n, d, err)
	}
	return b
}
