//go:build linux

package alsa_test

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/capture/alsa"
	"github.com/p2pcam/p2pcam/capture/alsa/alsatest"
)

var (
	_ alsa.Capturer = (*alsa.PCM)(nil)
	_ alsa.Player   = (*alsa.PCM)(nil)
)

func TestReadCapturesSource(t *testing.T) {
	tests := []struct {
		name     string
		channels int
		chunk    int // samples per Read
	}{
		{"mono, periods", 1, 960},
		{"mono, small reads", 1, 100},
		{"stereo, large reads", 2, 5000},
		{"stereo, partial frame", 2, 301},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := ramp(48000, tc.channels)
			mic := alsatest.NewMic(48000, tc.channels, src)
			// Twice real time, into a 500 ms buffer: reads of up to 52 ms
			// from the default 80 ms buffer overran now and then on a
			// machine loaded by the whole suite.
			mic.Speed = 2
			_, s := newKernel(t, mic)
			pcm := open(t, s, "hw:0,0", alsa.Capture, alsa.Params{Rate: 48000, Channels: tc.channels, BufferFrames: 24000})
			var got []int16
			buf := make([]int16, tc.chunk)
			for len(got) < 4800*tc.channels {
				n, err := pcm.Read(buf)
				if err != nil {
					t.Fatal(err)
				}
				if n != tc.chunk/tc.channels {
					t.Fatalf("Read = %d frames, want %d", n, tc.chunk/tc.channels)
				}
				got = append(got, buf[:n*tc.channels]...)
			}
			if !slices.Equal(got, src[:len(got)]) {
				t.Errorf("captured samples differ from the source")
			}
			if pcm.XRuns() != 0 {
				t.Errorf("XRuns = %d", pcm.XRuns())
			}
		})
	}
}

func TestWriteRecords(t *testing.T) {
	tests := []struct {
		name     string
		channels int
		frames   int
		start    int
	}{
		{"less than a buffer", 1, 1000, 0},
		{"several buffers", 2, 10000, 0},
		{"early start", 1, 5000, 960},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spk := alsatest.NewSpeaker([]int{48000}, tc.channels)
			spk.Speed = 8
			_, s := newKernel(t, spk)
			pcm := open(t, s, "hw:0,0", alsa.Playback, alsa.Params{Channels: tc.channels, StartFrames: tc.start})
			data := ramp(tc.frames, tc.channels)
			n, err := pcm.Write(data)
			if err != nil || n != tc.frames {
				t.Fatalf("Write = %d, %v; want %d", n, err, tc.frames)
			}
			if err := pcm.Drain(); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(spk.Written(), data) {
				t.Errorf("speaker got %d samples, want the %d written", len(spk.Written()), len(data))
			}
			if st := spk.State(); st != "PREPARED" {
				t.Errorf("state after Drain = %s, want PREPARED", st)
			}
			if d, err := pcm.Delay(); d != 0 || err != nil {
				t.Errorf("Delay after Drain = %d, %v", d, err)
			}
		})
	}
}

func TestWritePartialFrame(t *testing.T) {
	_, s := newKernel(t, alsatest.NewSpeaker([]int{48000}, 2))
	pcm := open(t, s, "hw:0,0", alsa.Playback, alsa.Params{Channels: 2})
	if _, err := pcm.Write(make([]int16, 3)); !errors.Is(err, alsa.ErrPartialFrame) {
		t.Errorf("Write(3 samples, stereo) = %v, want ErrPartialFrame", err)
	}
}

func TestWrongDirection(t *testing.T) {
	mic, spk := alsatest.NewMic(48000, 1, nil), alsatest.NewSpeaker([]int{48000}, 1)
	spk.Number = 1
	_, s := newKernel(t, mic, spk)
	c := open(t, s, "hw:0,0", alsa.Capture, alsa.Params{})
	p := open(t, s, "hw:0,1", alsa.Playback, alsa.Params{})
	if _, err := c.Write(make([]int16, 10)); !errors.Is(err, alsa.ErrUnsupported) {
		t.Errorf("Write on capture = %v", err)
	}
	if _, err := p.Read(make([]int16, 10)); !errors.Is(err, alsa.ErrUnsupported) {
		t.Errorf("Read on playback = %v", err)
	}
}

func TestDelayAndDrop(t *testing.T) {
	spk := alsatest.NewSpeaker([]int{48000}, 1)
	_, s := newKernel(t, spk)
	pcm := open(t, s, "hw:0,0", alsa.Playback, alsa.Params{})
	if _, err := pcm.Write(make([]int16, 1920)); err != nil {
		t.Fatal(err)
	}
	// Below the start threshold (a full buffer), nothing plays yet.
	if d, err := pcm.Delay(); d != 1920 || err != nil {
		t.Errorf("Delay = %d, %v; want 1920", d, err)
	}
	if err := pcm.Drop(); err != nil {
		t.Fatal(err)
	}
	if d, err := pcm.Delay(); d != 0 || err != nil {
		t.Errorf("Delay after Drop = %d, %v; want 0", d, err)
	}
	if st := spk.State(); st != "PREPARED" {
		t.Errorf("state after Drop = %s", st)
	}
}

func TestDropRestartsCapture(t *testing.T) {
	mic := alsatest.NewMic(48000, 1, ramp(48000, 1))
	mic.Speed = 4
	_, s := newKernel(t, mic)
	pcm := open(t, s, "hw:0,0", alsa.Capture, alsa.Params{})
	buf := make([]int16, 480)
	for range 2 {
		if _, err := pcm.Read(buf); err != nil {
			t.Fatal(err)
		}
		if err := pcm.Drain(); err != nil { // Drain is Drop on capture
			t.Fatal(err)
		}
	}
	calls := mic.Calls()
	if count(calls, "DROP") != 2 || count(calls, "START") != 2 || count(calls, "DRAIN") != 0 {
		t.Errorf("calls: %v", calls)
	}
	if pcm.XRuns() != 0 {
		t.Errorf("XRuns = %d", pcm.XRuns())
	}
}

// TestConcurrentDelay asks Delay while another goroutine writes, as

// talkback does to measure its latency.

func TestConcurrentDelay(t *testing.T) {
	spk := alsatest.NewSpeaker([]int{16000}, 1)
	spk.Speed = 4
	_, s := newKernel(t, spk)
	pcm := open(t, s, "hw:0,0", alsa.Playback, alsa.Params{Rate: 16000})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range 20 {
			if _, err := pcm.Write(make([]int16, 320)); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	maxDelay := 0
	for range 50 {
		d, err := pcm.Delay()
		if err != nil {
			t.Fatal(err)
		}
		maxDelay = max(maxDelay, d)
		time.Sleep(time.Millisecond)
	}
	wg.Wait()
	if maxDelay > pcm.Params().BufferFrames {
		t.Errorf("Delay reached %d, more than the buffer", maxDelay)
	}
	if got := len(spk.Written()); got != 20*320 {
		t.Errorf("speaker got %d samples", got)
	}
}

func TestOpenErrors(t *testing.T) {
	mic := alsatest.NewMic(48000, 1, nil)
	k, s := newKernel(t, mic)
	busy := open(t, s, "hw:0,0", alsa.Capture, alsa.Params{})
	_ = busy
	tests := []struct {
		name string
		dev  string
		dir  alsa.Direction
		want error
	}{
		{"busy", "hw:0,0", alsa.Capture, alsa.ErrBusy},
		{"busy by id", "hw:Loopback", alsa.Capture, alsa.ErrBusy},
		{"no such card", "hw:3,0", alsa.Capture, alsa.ErrNotFound},
		{"no such card id", "hw:Nope,0", alsa.Capture, alsa.ErrNotFound},
		{"no such device", "hw:0,7", alsa.Capture, alsa.ErrNotFound},
		{"no playback stream", "hw:0,0", alsa.Playback, alsa.ErrNotFound},
		{"plugin", "plughw:0,0", alsa.Capture, alsa.ErrBadName},
		{"garbage", "hw:0,x", alsa.Capture, alsa.ErrBadName},
		{"path of the other direction", k.Path(mic), alsa.Playback, alsa.ErrBusy},
		{"bad direction", "hw:0,0", alsa.Direction(5), alsa.ErrUnsupported},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pcm, err := s.Open(tc.dev, tc.dir, alsa.Params{})
			if err == nil {
				pcm.Close()
			}
			if !errors.Is(err, tc.want) {
				t.Errorf("Open(%q, %v) = %v, want %v", tc.dev, tc.dir, err, tc.want)
			}
		})
	}
	if err := busy.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Open(k.Path(mic), alsa.Playback, alsa.Params{}); !errors.Is(err, alsa.ErrNotPCM) {
		t.Errorf("Open(capture file, Playback) = %v, want ErrNotPCM", err)
	}
	if mic.IsOpen() {
		t.Error("device left open after a failed Open")
	}
}

func TestInfo(t *testing.T) {
	spk := alsatest.NewSpeaker([]int{48000}, 2)
	spk.Number = 3
	k, s := newKernel(t, spk)
	pcm := open(t, s, "hw:CARD=Loopback,DEV=3", alsa.Playback, alsa.Params{Channels: 2})
	want := alsa.StreamInfo{Card: 0, Device: 3, Dir: alsa.Playback, ID: "speaker", Name: "Fake Speaker", Subname: "subdevice #0"}
	if got := pcm.Info(); got != want {
		t.Errorf("Info() = %+v, want %+v", got, want)
	}
	if pcm.Path() != k.Path(spk) || pcm.Direction() != alsa.Playback {
		t.Errorf("Path() = %s, Direction() = %v", pcm.Path(), pcm.Direction())
	}
}
