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

func TestCaptureXRun(t *testing.T) {
	tests := []struct {
		name   string
		inject func(*alsatest.Device)
	}{
		{"injected", func(d *alsatest.Device) { d.XRun() }},
		{"read too late", func(*alsatest.Device) { time.Sleep(150 * time.Millisecond) }}, // buffer: 80 ms
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mic := alsatest.NewMic(48000, 1, ramp(48000, 1))
			_, s := newKernel(t, mic)
			pcm := open(t, s, "hw:0,0", alsa.Capture, alsa.Params{})
			buf := make([]int16, 480)
			if _, err := pcm.Read(buf); err != nil {
				t.Fatal(err)
			}
			tc.inject(mic)
			n, err := pcm.Read(buf)
			if err != nil || n != 480 {
				t.Fatalf("Read after xrun = %d, %v", n, err)
			}
			// The fake runs in real time: a loaded machine can overrun it
			// again before the retried read, and each overrun must be
			// recovered from the same way.
			xruns := pcm.XRuns()
			if xruns < 1 {
				t.Errorf("XRuns = %d, want at least 1", xruns)
			}
			calls := mic.Calls()
			if count(calls, "PREPARE") != xruns+1 || count(calls, "START") != xruns+1 {
				t.Errorf("calls: %v; want a PREPARE and a START for each of the %d overruns", calls, xruns)
			}
			// What the device captured while overrun is lost: the read
			// goes on from where the hardware is.
			if buf[0] <= 480 && tc.name == "read too late" {
				t.Errorf("read after overrun starts at %d, expected a gap", buf[0])
			}
		})
	}
}

func TestPlaybackUnderrun(t *testing.T) {
	spk := alsatest.NewSpeaker([]int{48000}, 1)
	_, s := newKernel(t, spk)
	pcm := open(t, s, "hw:0,0", alsa.Playback, alsa.Params{})
	buf := ramp(pcm.Params().BufferFrames, 1)
	if _, err := pcm.Write(buf); err != nil {
		t.Fatal(err)
	}
	time.Sleep(pcm.Params().Duration(pcm.Params().BufferFrames) + 70*time.Millisecond)
	if st := spk.State(); st != "XRUN" {
		t.Fatalf("state after playing out = %s, want XRUN", st)
	}
	if d, err := pcm.Delay(); d != 0 || err != nil {
		t.Errorf("Delay during underrun = %d, %v; want 0, nil", d, err)
	}
	if n, err := pcm.Write(buf[:1000]); n != 1000 || err != nil {
		t.Fatalf("Write after underrun = %d, %v", n, err)
	}
	if pcm.XRuns() != 1 {
		t.Errorf("XRuns = %d, want 1", pcm.XRuns())
	}
	if got := len(spk.Written()); got != len(buf)+1000 {
		t.Errorf("speaker got %d samples, want %d", got, len(buf)+1000)
	}
}

func TestSuspend(t *testing.T) {
	tests := []struct {
		name      string
		canResume bool
		prepares  int
	}{
		{"driver resumes", true, 1},
		{"driver cannot resume", false, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mic := alsatest.NewMic(48000, 1, ramp(48000, 1))
			mic.CanResume = tc.canResume
			mic.Speed = 4
			_, s := newKernel(t, mic)
			pcm := open(t, s, "hw:0,0", alsa.Capture, alsa.Params{})
			buf := make([]int16, 480)
			if _, err := pcm.Read(buf); err != nil {
				t.Fatal(err)
			}
			mic.Suspend()
			if n, err := pcm.Read(buf); err != nil || n != 480 {
				t.Fatalf("Read after suspend = %d, %v", n, err)
			}
			calls := mic.Calls()
			if count(calls, "RESUME") != 1 || count(calls, "PREPARE") != tc.prepares {
				t.Errorf("calls: %v; want 1 RESUME and %d PREPARE", calls, tc.prepares)
			}
		})
	}
}

func TestInjectedFailure(t *testing.T) {
	mic := alsatest.NewMic(48000, 1, nil)
	_, s := newKernel(t, mic)
	pcm := open(t, s, "hw:0,0", alsa.Capture, alsa.Params{})
	if _, err := pcm.Read(make([]int16, 10)); err != nil {
		t.Fatal(err)
	}
	mic.XRun()
	mic.FailNext("PREPARE", unix.EIO)
	_, err := pcm.Read(make([]int16, 10))
	if !errors.Is(err, unix.EIO) || errors.Is(err, alsa.ErrGone) {
		t.Errorf("Read with a failing PREPARE = %v, want EIO", err)
	}
}
