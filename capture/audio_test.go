package capture_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/capture"
	"github.com/p2pcam/p2pcam/capture/sim"
	"github.com/p2pcam/p2pcam/media"
)

// The microphone source stamps frames with the capture time of their
// first sample, on the shared time base, evenly spaced by the frame
// length; it reopens a microphone that fails.
func TestAudioSource(t *testing.T) {
	tests := []struct {
		codec    media.Codec
		frameDur time.Duration
	}{
		{media.CodecAAC, 64 * time.Millisecond},
		{media.CodecG711A, 20 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.codec.String(), func(t *testing.T) {
			epoch := time.Now()
			opens := 0
			src := &capture.Audio{Name: "test", Codec: tt.codec, Env: capture.Env{Epoch: epoch},
				Open: func() (capture.Microphone, error) {
					opens++
					if opens == 1 {
						return nil, errors.New("no such card")
					}
					return sim.NewVoice(), nil
				}}
			ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
			defer cancel()
			var mu sync.Mutex
			var frames []*media.Frame
			var arrived []time.Duration
			if err := src.Run(ctx, func(f *media.Frame) {
				mu.Lock()
				frames = append(frames, f)
				arrived = append(arrived, time.Since(epoch))
				mu.Unlock()
			}); err != nil {
				t.Fatal(err)
			}
			if opens != 2 {
				t.Errorf("opened the microphone %d times, want 2 (a failure, then a retry)", opens)
			}
			if len(frames) < 10 {
				t.Fatalf("%d frames in about 1 s", len(frames))
			}
			for i, f := range frames {
				if f.Kind != media.KindAudio || f.Codec != tt.codec || f.Audio == nil || len(f.Payload) == 0 {
					t.Fatalf("frame %d: %+v", i, f)
				}
				// A frame is emitted after its last sample (AAC: one frame
				// later, the encoder's delay). Stamps count samples from
				// an anchor read off the clock, which a busy scheduler
				// can read late: they may run up to 40 ms (the allowed
				// skew) ahead of the true capture time, never more.
				if f.PTS+tt.frameDur > arrived[i]+40*time.Millisecond {
					t.Errorf("frame %d stamped %v, emitted at %v: stamped after its capture", i, f.PTS, arrived[i])
				}
				// How late a frame comes out is the machine's load (with
				// the race detector, AAC frames came 250-400 ms late while
				// other tests ran); a stamp from a wrong anchor is off by
				// far more than this bound.
				if arrived[i]-f.PTS > 3*tt.frameDur+time.Second {
					t.Errorf("frame %d stamped %v, emitted at %v: too old", i, f.PTS, arrived[i])
				}
				if i > 0 {
					if d := f.PTS - frames[i-1].PTS; d != tt.frameDur {
						t.Errorf("frame %d: %v after the previous one, want %v", i, d, tt.frameDur)
					}
				}
			}
		})
	}
}

// A capture loop held up for 300 ms (a busy board) reads the backlog the
// device kept back to back: its frames keep their capture times, evenly
// spaced, instead of being stamped at the time they were read.
func TestAudioSourceAfterAStall(t *testing.T) {
	epoch := time.Now()
	src := &capture.Audio{Name: "test", Codec: media.CodecG711U, Env: capture.Env{Epoch: epoch},
		Open: func() (capture.Microphone, error) { return sim.NewVoice(), nil }}
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	var frames []*media.Frame
	if err := src.Run(ctx, func(f *media.Frame) {
		frames = append(frames, f)
		if len(frames) == 20 {
			time.Sleep(300 * time.Millisecond) // the loop is held up
		}
	}); err != nil {
		t.Fatal(err)
	}
	if len(frames) < 40 {
		t.Fatalf("%d frames in 1.5 s", len(frames))
	}
	for i := 1; i < len(frames); i++ {
		if d := frames[i].PTS - frames[i-1].PTS; d != 20*time.Millisecond {
			t.Errorf("frame %d: %v after the previous one, want 20ms", i, d)
		}
	}
}

// The microphone's samples reach the PCM tap as they are read, before the
// encoder, stamped evenly on the same time base as the frames.
func TestAudioSourcePCM(t *testing.T) {
	epoch := time.Now()
	var mu sync.Mutex
	type read struct {
		pts  time.Duration
		rate int
		n    int
		at   time.Duration
	}
	var reads []read
	var frames []*media.Frame
	src := &capture.Audio{Name: "test", Codec: media.CodecAAC, Env: capture.Env{Epoch: epoch},
		Open: func() (capture.Microphone, error) { return sim.NewVoice(), nil },
		PCM: func(pts time.Duration, rate int, s []int16) {
			mu.Lock()
			reads = append(reads, read{pts, rate, len(s), time.Since(epoch)})
			mu.Unlock()
		}}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := src.Run(ctx, func(f *media.Frame) {
		mu.Lock()
		frames = append(frames, f)
		mu.Unlock()
	}); err != nil {
		t.Fatal(err)
	}
	if len(reads) < 30 || len(frames) < 5 {
		t.Fatalf("%d reads and %d frames in 1 s", len(reads), len(frames))
	}
	for i, r := range reads {
		if r.rate != capture.DefaultAudioRate || r.n != capture.DefaultAudioRate/50 {
			t.Fatalf("read %d: %d samples at %d Hz, want 20 ms at %d", i, r.n, r.rate, capture.DefaultAudioRate)
		}
		// Stamped when captured: never after it arrived, and not long
		// before (500 ms: under the race detector on a loaded machine the
		// first reads came 280 ms after their capture, all at once).
		if r.at-r.pts > 500*time.Millisecond || r.pts > r.at {
			t.Errorf("read %d stamped %v, arrived at %v", i, r.pts, r.at)
		}
		if i > 0 && r.pts-reads[i-1].pts != 20*time.Millisecond {
			t.Errorf("read %d: %v after the previous one, want 20ms", i, r.pts-reads[i-1].pts)
		}
	}
	// Same time base: the first frame holds the first samples read.
	if d := frames[0].PTS - reads[0].pts; d < -time.Millisecond || d > time.Millisecond {
		t.Errorf("first frame at %v, first samples at %v", frames[0].PTS, reads[0].pts)
	}
}
