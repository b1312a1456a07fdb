//go:build linux

package alsatest

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/p2pcam/p2pcam/capture/alsa"

	"github.com/p2pcam/p2pcam/internal/ioc"
)

// req builds a request number independently of package alsa.
func req(read, write bool, typ byte, size int, nr byte) uint {
	switch {
	case read && write:
		return ioc.IOWR(typ, nr, uintptr(size))
	case read:
		return ioc.IOR(typ, nr, uintptr(size))
	case write:
		return ioc.IOW(typ, nr, uintptr(size))
	}
	return ioc.IO(typ, nr)
}

func TestIoctlChecksRequests(t *testing.T) {
	k := NewKernel(t.TempDir())
	mic := NewMic(48000, 1, nil)
	k.AddCard(alsa.Card{Index: 0, ID: "c"}, mic)
	fd, err := k.Open(k.Path(mic), unix.O_RDWR)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close(fd)
	var buf [1024]byte
	arg := unsafe.Pointer(&buf[0])
	tests := []struct {
		name string
		req  uint
		want error
	}{
		{"PVERSION", req(true, false, 'A', 4, 0x00), nil},
		{"PVERSION with the wrong size", req(true, false, 'A', 8, 0x00), unix.ENOTTY},
		{"PVERSION with the wrong direction", req(false, true, 'A', 4, 0x00), unix.ENOTTY},
		{"INFO", req(true, false, 'A', sizePCMInfo, 0x01), nil},
		{"HW_REFINE with 604/608 swapped", req(true, true, 'A', 1212-sizeHwParams, 0x10), unix.ENOTTY},
		{"PREPARE before HW_PARAMS", req(false, false, 'A', 0, 0x40), unix.EBADFD},
		{"control request on a PCM", req(true, false, 'U', sizeCardInfo, 0x01), unix.ENOTTY},
		{"unknown", req(false, false, 'A', 0, 0x99), unix.ENOTTY},
	}
	for _, tc := range tests {
		if err := k.Ioctl(fd, tc.req, arg); !errors.Is(err, tc.want) && !(err == nil && tc.want == nil) {
			t.Errorf("%s (0x%08x) = %v, want %v", tc.name, tc.req, err, tc.want)
		}
	}
	if got := mem(buf[:]).u32(0); got != 0 {
		// the buffer was last written by INFO: device 0
		t.Errorf("INFO device = %d", got)
	}
}

func TestKernelFiles(t *testing.T) {
	k := NewKernel(t.TempDir())
	spk := NewSpeaker([]int{48000}, 2)
	spk.Number = 2
	k.AddCard(alsa.Card{Index: 1, ID: "Snd", Driver: "drv", Name: "Sound", LongName: "Sound at bus 1"}, spk)
	if got, want := k.Path(spk), filepath.Join(k.Dev(), "pcmC1D2p"); got != want {
		t.Errorf("Path = %s, want %s", got, want)
	}
	for _, f := range []string{"controlC1", "pcmC1D2p"} {
		if _, err := os.Stat(filepath.Join(k.Dev(), f)); err != nil {
			t.Error(err)
		}
	}
	cards, _ := os.ReadFile(filepath.Join(k.Proc(), "cards"))
	pcm, _ := os.ReadFile(filepath.Join(k.Proc(), "pcm"))
	wantCards := " 1 [Snd            ]: drv - Sound\n                      Sound at bus 1\n"
	if string(cards) != wantCards || string(pcm) != "01-02: speaker : Fake Speaker : playback 1\n" {
		t.Errorf("cards:\n%q\npcm:\n%q", cards, pcm)
	}
	if _, err := k.Open(filepath.Join(k.Dev(), "pcmC1D2c"), unix.O_RDWR); !errors.Is(err, unix.ENOENT) {
		t.Errorf("Open(missing) = %v", err)
	}
	spk.FailNext("open", unix.EACCES)
	if _, err := k.Open(k.Path(spk), unix.O_RDWR); !errors.Is(err, unix.EACCES) {
		t.Errorf("Open with an injected error = %v", err)
	}
	if err := k.Close(12345); !errors.Is(err, unix.EBADF) {
		t.Errorf("Close(unknown) = %v", err)
	}
	k.Unplug(1)
	cards, _ = os.ReadFile(filepath.Join(k.Proc(), "cards"))
	if string(cards) != "--- no soundcards ---\n" {
		t.Errorf("cards after unplug: %q", cards)
	}
}
