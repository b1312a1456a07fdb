//go:build linux

package alsa_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/p2pcam/p2pcam/capture/alsa"
	"github.com/p2pcam/p2pcam/capture/alsa/alsatest"
)

// twoCards plugs a loopback-like card (device 0 both ways, device 1
// playback) and a USB-like microphone card into k.
func twoCards(k *alsatest.Kernel) {
	mic0 := &alsatest.Device{Number: 0, Dir: alsa.Capture, ID: "Loopback PCM", Name: "Loopback PCM"}
	spk0 := &alsatest.Device{Number: 0, Dir: alsa.Playback, ID: "Loopback PCM", Name: "Loopback PCM"}
	spk1 := &alsatest.Device{Number: 1, Dir: alsa.Playback, ID: "Loopback PCM", Name: "Loopback PCM"}
	k.AddCard(loopback, mic0, spk0, spk1)
	usb := alsatest.NewMic(16000, 1, nil)
	usb.ID, usb.Name = "USB Audio", "USB Audio"
	k.AddCard(alsa.Card{Index: 2, ID: "Device", Driver: "USB-Audio", Name: "USB PnP Sound Device",
		LongName: "C-Media Electronics Inc. USB PnP Sound Device at usb-0000:00:14.0-1, full speed"}, usb)
}

var twoCardsList = []alsa.DeviceInfo{
	{Card: loopback, Device: 0, ID: "Loopback PCM", Name: "Loopback PCM", Playback: 1, Capture: 1},
	{Card: loopback, Device: 1, ID: "Loopback PCM", Name: "Loopback PCM", Playback: 1},
	{Card: alsa.Card{Index: 2, ID: "Device", Driver: "USB-Audio", Name: "USB PnP Sound Device",
		LongName: "C-Media Electronics Inc. USB PnP Sound Device at usb-0000:00:14.0-1, full speed"},
		Device: 0, ID: "USB Audio", Name: "USB Audio", Capture: 1},
}

func TestList(t *testing.T) {
	tests := []struct {
		name   string
		noProc bool // a kernel without /proc/asound: ask the control devices
	}{
		{"procfs", false},
		{"control devices", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k := alsatest.NewKernel(t.TempDir())
			twoCards(k)
			s := k.Scanner()
			if tc.noProc {
				s.Proc = filepath.Join(t.TempDir(), "none")
			}
			got, err := s.List()
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, twoCardsList) {
				t.Errorf("List() =\n%+v\nwant\n%+v", got, twoCardsList)
			}
			cards, err := s.Cards()
			if err != nil || len(cards) != 2 || cards[1].ID != "Device" {
				t.Errorf("Cards() = %+v, %v", cards, err)
			}
			// A card id resolves through the same source.
			pcm := open(t, s, "hw:Device", alsa.Capture, alsa.Params{})
			if pcm.Info().Card != 2 || pcm.Params().Rate != 16000 {
				t.Errorf("hw:Device opened %+v at %+v", pcm.Info(), pcm.Params())
			}
			pcm = open(t, s, "hw:loopback,1", alsa.Playback, alsa.Params{})
			if pcm.Info().Card != 0 || pcm.Info().Device != 1 {
				t.Errorf("hw:loopback,1 opened %+v", pcm.Info())
			}
		})
	}
}

func TestListUnplug(t *testing.T) {
	for _, noProc := range []bool{false, true} {
		k := alsatest.NewKernel(t.TempDir())
		twoCards(k)
		k.Unplug(0)
		s := k.Scanner()
		if noProc {
			s.Proc = filepath.Join(t.TempDir(), "none")
		}
		got, err := s.List()
		if err != nil || !slices.Equal(got, twoCardsList[2:]) {
			t.Errorf("noProc=%v: List() after unplugging card 0 = %+v, %v", noProc, got, err)
		}
		if _, err := s.Open("hw:Loopback,0", alsa.Capture, alsa.Params{}); !errors.Is(err, alsa.ErrNotFound) {
			t.Errorf("noProc=%v: Open(unplugged) = %v, want ErrNotFound", noProc, err)
		}
	}
}

func TestListNoSound(t *testing.T) {
	dir := t.TempDir()
	s := alsa.Scanner{Dev: filepath.Join(dir, "dev"), Proc: filepath.Join(dir, "proc")}
	got, err := s.List()
	if err != nil || len(got) != 0 {
		t.Errorf("List() on a system without sound = %v, %v", got, err)
	}
	if err := os.MkdirAll(s.Proc, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.Proc, "cards"), []byte("--- no soundcards ---\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err = s.List()
	if err != nil || len(got) != 0 {
		t.Errorf("List() with no soundcards = %v, %v", got, err)
	}
}

func TestDescribe(t *testing.T) {
	var b strings.Builder
	devs := slices.Clone(twoCardsList)
	devs[0].Capture = 8
	if err := alsa.Describe(&b, devs); err != nil {
		t.Fatal(err)
	}
	want := `card 0: Loopback [Loopback], driver Loopback
  hw:0,0 (hw:Loopback,0): Loopback PCM [Loopback PCM], playback, capture (8 subdevices)
  hw:0,1 (hw:Loopback,1): Loopback PCM [Loopback PCM], playback
card 2: Device [USB PnP Sound Device], driver USB-Audio
  hw:2,0 (hw:Device,0): USB Audio [USB Audio], capture
`
	if b.String() != want {
		t.Errorf("Describe =\n%s\nwant\n%s", b.String(), want)
	}
	b.Reset()
	if err := alsa.Describe(&b, nil); err != nil || b.String() != "no ALSA PCM devices found\n" {
		t.Errorf("Describe(nil) = %q, %v", b.String(), err)
	}
	if err := alsa.Describe(failWriter{}, twoCardsList); err == nil {
		t.Error("Describe hid a write error")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestDeviceInfo(t *testing.T) {
	d := twoCardsList[2]
	if d.HW() != "hw:2,0" || !d.Can(alsa.Capture) || d.Can(alsa.Playback) {
		t.Errorf("HW() = %s, Can(capture) = %v, Can(playback) = %v", d.HW(), d.Can(alsa.Capture), d.Can(alsa.Playback))
	}
}
