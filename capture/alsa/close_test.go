//go:build linux

package alsa_test

import (
	"errors"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/p2pcam/p2pcam/capture/alsa"
	"github.com/p2pcam/p2pcam/capture/alsa/alsatest"
)

// TestCloseUnblocks closes a PCM while another goroutine waits in it.
func TestCloseUnblocks(t *testing.T) {
	tests := []struct {
		name string
		dir  alsa.Direction
		op   func(*alsa.PCM) error
	}{
		{"Read", alsa.Capture, func(p *alsa.PCM) error { _, err := p.Read(make([]int16, 960)); return err }},
		{"Write", alsa.Playback, func(p *alsa.PCM) error {
			_, err := p.Write(make([]int16, 2*p.Params().BufferFrames))
			return err
		}},
		{"Drain", alsa.Playback, func(p *alsa.PCM) error {
			if _, err := p.Write(make([]int16, 1000)); err != nil {
				return err
			}
			return p.Drain()
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dev := &alsatest.Device{Dir: tc.dir, ID: "pcm", Name: "PCM"}
			dev.Stall(true) // the hardware never moves a frame
			k, s := newKernel(t, dev)
			pcm, err := s.Open("hw:0,0", tc.dir, alsa.Params{})
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- tc.op(pcm) }()
			if !k.WaitPolling(5 * time.Second) {
				t.Fatalf("%s did not block on the stalled device", tc.name)
			}
			select {
			case err := <-done:
				t.Fatalf("%s returned before Close: %v", tc.name, err)
			default:
			}
			start := time.Now()
			if err := pcm.Close(); err != nil {
				t.Errorf("Close = %v", err)
			}
			select {
			case err := <-done:
				if !errors.Is(err, alsa.ErrClosed) {
					t.Errorf("%s after Close = %v, want ErrClosed", tc.name, err)
				}
			case <-time.After(time.Second):
				t.Fatalf("%s still blocked 1 s after Close", tc.name)
			}
			if d := time.Since(start); d > 500*time.Millisecond {
				t.Errorf("Close took %v", d)
			}
			if err := pcm.Close(); err != nil {
				t.Errorf("second Close = %v", err)
			}
			if dev.IsOpen() {
				t.Error("device still open after Close")
			}
			if err := tc.op(pcm); !errors.Is(err, alsa.ErrClosed) {
				t.Errorf("%s on a closed PCM = %v", tc.name, err)
			}
		})
	}
}

func TestGone(t *testing.T) {
	tests := []struct {
		name string
		dir  alsa.Direction
		op   func(*alsa.PCM) error
	}{
		{"Read", alsa.Capture, func(p *alsa.PCM) error { _, err := p.Read(make([]int16, 960)); return err }},
		{"Write", alsa.Playback, func(p *alsa.PCM) error { _, err := p.Write(make([]int16, 960)); return err }},
		{"Delay", alsa.Playback, func(p *alsa.PCM) error { _, err := p.Delay(); return err }},
		{"Drain", alsa.Playback, func(p *alsa.PCM) error { return p.Drain() }},
		{"Drop", alsa.Capture, func(p *alsa.PCM) error { return p.Drop() }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dev := &alsatest.Device{Dir: tc.dir, ID: "pcm", Name: "PCM"}
			_, s := newKernel(t, dev)
			pcm := open(t, s, "hw:0,0", tc.dir, alsa.Params{})
			dev.Vanish()
			err := tc.op(pcm)
			if !errors.Is(err, alsa.ErrGone) || !errors.Is(err, unix.ENODEV) {
				t.Errorf("%s = %v, want ErrGone and ENODEV", tc.name, err)
			}
			if err := pcm.Close(); err != nil {
				t.Errorf("Close = %v", err)
			}
		})
	}
}

func TestGoneWhileReading(t *testing.T) {
	mic := alsatest.NewMic(48000, 1, nil)
	mic.Stall(true)
	k, s := newKernel(t, mic)
	pcm := open(t, s, "hw:0,0", alsa.Capture, alsa.Params{})
	done := make(chan error, 1)
	go func() { _, err := pcm.Read(make([]int16, 960)); done <- err }()
	if !k.WaitPolling(5 * time.Second) {
		t.Fatal("Read did not block on the stalled device")
	}
	mic.Vanish()
	select {
	case err := <-done:
		if !errors.Is(err, alsa.ErrGone) {
			t.Errorf("Read = %v, want ErrGone", err)
		}
	case <-time.After(time.Second):
		t.Fatal("Read still blocked 1 s after the device vanished")
	}
}

func TestStallTimesOut(t *testing.T) {
	if testing.Short() {
		t.Skip("waits 2 s")
	}
	mic := alsatest.NewMic(48000, 1, nil)
	mic.Stall(true)
	_, s := newKernel(t, mic)
	pcm := open(t, s, "hw:0,0", alsa.Capture, alsa.Params{})
	start := time.Now()
	_, err := pcm.Read(make([]int16, 960))
	if !errors.Is(err, alsa.ErrTimeout) {
		t.Errorf("Read = %v, want ErrTimeout", err)
	}
	if d := time.Since(start); d < 2*time.Second || d > 4*time.Second {
		t.Errorf("timed out after %v, want about 2 s", d)
	}
}
