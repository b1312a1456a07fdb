//go:build linux

package alsa_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/p2pcam/p2pcam/capture/alsa"
)

// TestRealKernel runs the real system calls on files that are not sound
// devices: the container these tests run in has no sound card. The
// kernel answers ENOTTY to their ioctls; qemu-user answers ENOSYS.
func TestRealKernel(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "pcmC0D0c")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		dev   string
		want  error
		errno []error
	}{
		{"character device that is not ALSA", "/dev/null", alsa.ErrNotPCM, noIoctl},
		{"regular file", file, alsa.ErrNotPCM, noIoctl},
		{"missing file", filepath.Join(dir, "pcmC9D0c"), alsa.ErrNotFound, []error{unix.ENOENT}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pcm, err := alsa.Open(tc.dev, alsa.Capture, alsa.Params{})
			if err == nil {
				pcm.Close()
			}
			if !errors.Is(err, tc.want) || !isAny(err, tc.errno) {
				t.Errorf("Open(%s) = %v, want %v and one of %v", tc.dev, err, tc.want, tc.errno)
			}
		})
	}
	// Control devices that do not answer: listing reports the error.
	s := alsa.Scanner{Dev: dir, Proc: filepath.Join(dir, "no-proc")}
	if err := os.WriteFile(filepath.Join(dir, "controlC0"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	devs, err := s.List()
	if len(devs) != 0 || !isAny(err, noIoctl) {
		t.Errorf("List() over a bogus control device = %v, %v; want ENOTTY", devs, err)
	}
	if _, err := s.Open("hw:Foo,0", alsa.Capture, alsa.Params{}); !errors.Is(err, alsa.ErrNotFound) || !isAny(err, noIoctl) {
		t.Errorf("Open(hw:Foo,0) = %v, want ErrNotFound with the listing's ENOTTY", err)
	}
}

// noIoctl are the answers to an ioctl a file does not know.
var noIoctl = []error{unix.ENOTTY, unix.ENOSYS}

func isAny(err error, targets []error) bool {
	for _, t := range targets {
		if errors.Is(err, t) {
			return true
		}
	}
	return false
}
