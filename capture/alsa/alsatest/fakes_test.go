//go:build linux

package alsatest

import (
	"errors"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/capture/alsa"
)

func TestSource(t *testing.T) {
	samples := make([]int16, 1600)
	for i := range samples {
		samples[i] = int16(i)
	}
	tests := []struct {
		name   string
		loop   bool
		chunk  int
		reads  int
		last   int // frames of the last read
		lastEr error
	}{
		{"to the end", false, 640, 3, 160, io.EOF},
		{"looped", true, 640, 4, 320, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := NewSource(alsa.Params{Rate: 16000, Channels: 2}, samples)
			s.Loop = tc.loop
			s.Speed = 4
			if p := s.Params(); p.PeriodFrames != 320 || p.BufferFrames != 1280 {
				t.Errorf("Params() = %+v", p)
			}
			start := time.Now()
			var got []int16
			buf := make([]int16, tc.chunk)
			var n int
			var err error
			for range tc.reads {
				n, err = s.Read(buf)
				got = append(got, buf[:2*n]...)
			}
			if n != tc.last || !errors.Is(err, tc.lastEr) {
				t.Errorf("last Read = %d, %v; want %d, %v", n, err, tc.last, tc.lastEr)
			}
			for i, v := range got {
				if v != samples[i%len(samples)] {
					t.Fatalf("sample %d = %d", i, v)
				}
			}
			// 800 frames (or 1280 looped) at 16 kHz, 4 times as fast.
			frames := len(got) / 2
			if d, want := time.Since(start), time.Duration(frames)*time.Second/64000; d < want {
				t.Errorf("read %d frames in %v, faster than real time (%v)", frames, d, want)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Read(buf); !errors.Is(err, alsa.ErrClosed) {
				t.Errorf("Read after Close = %v", err)
			}
		})
	}
}

func TestSourceCloseUnblocks(t *testing.T) {
	s := NewSource(alsa.Params{Rate: 8000}, make([]int16, 80000))
	done := make(chan error, 1)
	go func() { _, err := s.Read(make([]int16, 80000)); done <- err }()
	time.Sleep(20 * time.Millisecond)
	s.Close()
	select {
	case err := <-done:
		if !errors.Is(err, alsa.ErrClosed) {
			t.Errorf("Read = %v", err)
		}
	case <-time.After(time.Second):
		t.Fatal("Read still blocked after Close")
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

func TestSink(t *testing.T) {
	k := NewSink(alsa.Params{Rate: 16000, Channels: 1, PeriodFrames: 160, BufferFrames: 640})
	// A quarter of real time: the 640-frame buffer lasts 160 ms, long
	// enough that a loaded machine does not let it run dry by accident.
	k.Speed = 0.25
	data := make([]int16, 1600)
	for i := range data {
		data[i] = int16(i)
	}
	start := time.Now()
	n, err := k.Write(data)
	if n != 1600 || err != nil {
		t.Fatalf("Write = %d, %v", n, err)
	}
	// 960 frames beyond the buffer had to play first: 240 ms at 0.25x.
	if d := time.Since(start); d < 200*time.Millisecond {
		t.Errorf("Write of 1600 frames into a 640-frame buffer took only %v", d)
	}
	if d, err := k.Delay(); d <= 0 || d > 640 || err != nil {
		t.Errorf("Delay = %d, %v; want at most a buffer", d, err)
	}
	if !slices.Equal(k.Samples(), data) {
		t.Error("Samples() differ from what was written")
	}
	if n := k.XRuns(); n != 0 {
		t.Errorf("XRuns = %d while written ahead", n)
	}
	// It runs dry (160 ms at 0.25x) before the next Write: an underrun.
	time.Sleep(300 * time.Millisecond)
	if _, err := k.Write([]int16{1}); err != nil {
		t.Error(err)
	}
	if n := k.XRuns(); n != 1 {
		t.Errorf("XRuns = %d after running dry, want 1", n)
	}
	if err := k.Drain(); err != nil {
		t.Errorf("Drain = %v", err)
	}
	if d, _ := k.Delay(); d != 0 {
		t.Errorf("Delay after Drain = %d", d)
	}
	k.Close()
	if n := k.Dropped(); n != 0 {
		t.Errorf("Dropped after Drain and Close = %d", n)
	}
	if n := k.XRuns(); n != 1 {
		t.Errorf("XRuns = %d after draining, want still 1: draining dry is no underrun", n)
	}
	if _, err := k.Write(data); !errors.Is(err, alsa.ErrClosed) {
		t.Errorf("Write after Close = %v", err)
	}
	if _, err := k.Delay(); !errors.Is(err, alsa.ErrClosed) {
		t.Errorf("Delay after Close = %v", err)
	}
	if err := k.Drain(); !errors.Is(err, alsa.ErrClosed) {
		t.Errorf("Drain after Close = %v", err)
	}
}

// Close drops what the buffer holds, and Dropped says how much.
func TestSinkCloseDrops(t *testing.T) {
	k := NewSink(alsa.Params{Rate: 8000, Channels: 1, PeriodFrames: 80, BufferFrames: 320})
	if _, err := k.Write(make([]int16, 320)); err != nil {
		t.Fatal(err)
	}
	k.Close()
	// 320 frames last 40 ms: most are still queued.
	if n := k.Dropped(); n < 200 || n > 320 {
		t.Errorf("Dropped = %d, want most of the 320 frames written", n)
	}
}

func TestSinkCloseUnblocks(t *testing.T) {
	k := NewSink(alsa.Params{Rate: 8000, Channels: 2})
	done := make(chan error, 1)
	go func() { _, err := k.Write(make([]int16, 2*80000)); done <- err }()
	time.Sleep(20 * time.Millisecond)
	k.Close()
	select {
	case err := <-done:
		if !errors.Is(err, alsa.ErrClosed) {
			t.Errorf("Write = %v", err)
		}
	case <-time.After(time.Second):
		t.Fatal("Write still blocked after Close")
	}
	if _, err := k.Write(make([]int16, 3)); !errors.Is(err, alsa.ErrPartialFrame) {
		t.Errorf("Write(3 samples, stereo) = %v", err)
	}
}
