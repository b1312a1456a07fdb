package record

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"math"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/capture"
	"github.com/p2pcam/p2pcam/capture/sim"
	"github.com/p2pcam/p2pcam/codec/aac"
	"github.com/p2pcam/p2pcam/codec/h264"
	"github.com/p2pcam/p2pcam/internal/clock"
	"github.com/p2pcam/p2pcam/media"
)

// frameInterval is the sim clips' frame time (25 fps, a keyframe a second).
const frameInterval = 40 * time.Millisecond

// testFrames returns d of the sim board's clip of quality q (looped) with
// AAC-LC 16 kHz mono audio of a tone, in PTS order from 0: what the
// camera's hub publishes, made without waiting for real time.
func testFrames(t testing.TB, q media.Quality, d time.Duration) []*media.Frame {
	t.Helper()
	clip, err := sim.Clip(q)
	if err != nil {
		t.Fatal(err)
	}
	var out []*media.Frame
	var fr capture.Framer
	var pts time.Duration
	for pts < d {
		nr := h264.NewNALUReader(bytes.NewReader(clip))
		for pts < d {
			nalu, err := nr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			f, err := fr.Push(nalu)
			if err != nil {
				t.Fatal(err)
			}
			if f != nil {
				f.PTS = pts
				pts += frameInterval
				out = append(out, f)
			}
		}
	}
	enc, err := aac.NewEncoder(aac.EncoderConfig{})
	if err != nil {
		t.Fatal(err)
	}
	asc, err := enc.Config().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	info := &media.AudioInfo{Codec: media.CodecAAC, SampleRate: 16000, Channels: 1, Config: asc}
	pcm := make([]int16, aac.SamplesPerFrame)
	n := 0
	for apts := time.Duration(0); apts < d; apts += aac.SamplesPerFrame * time.Second / 16000 {
		for i := range pcm {
			pcm[i] = int16(8000 * math.Sin(2*math.Pi*440*float64(n)/16000))
			n++
		}
		b, err := enc.Encode(nil, pcm)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) > 0 {
			out = append(out, &media.Frame{Kind: media.KindAudio, Codec: media.CodecAAC, PTS: apts, Key: true, Payload: b, Audio: info})
		}
	}
	// Audio comes later than video of the same time, as a microphone's
	// buffer makes it: file order is not PTS order across tracks.
	arrives := func(f *media.Frame) time.Duration {
		if f.Kind == media.KindAudio {
			return f.PTS + audioLatency
		}
		return f.PTS
	}
	sort.SliceStable(out, func(i, j int) bool { return arrives(out[i]) < arrives(out[j]) })
	return out
}

// audioLatency is how much later than video audio of the same PTS
// reaches the hub in testFrames.
const audioLatency = 150 * time.Millisecond

// t0 is the wall-clock time the tests' recordings start at.
var t0 = time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)

// record writes frames to r, moving clk along with their PTS from
// the clock's time at the first frame.
func record(t testing.TB, r *Recorder, clk *clock.Fake, frames []*media.Frame) {
	t.Helper()
	start := clk.Now()
	for _, f := range frames {
		if d := start.Add(f.PTS).Sub(clk.Now()); d > 0 {
			clk.Advance(d)
		}
		if err := r.Write(f); err != nil {
			t.Fatalf("write frame at %v: %v", f.PTS, err)
		}
	}
}

// newTestRecorder returns a recorder on dir, with a fake clock at t0
// unless cfg has a clock.
func newTestRecorder(t testing.TB, dir string, cfg Config) (*Recorder, *clock.Fake) {
	t.Helper()
	if cfg.Clock == nil {
		cfg.Clock = clock.NewFake(t0)
	}
	clk, _ := cfg.Clock.(*clock.Fake) // nil for another clock
	cfg.Dir = dir
	if cfg.SegmentLength == 0 {
		cfg.SegmentLength = 5 * time.Second
	}
	if cfg.MinFree == 0 {
		cfg.MinFree = -1
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r, clk
}

// storageLog collects what Config.OnStorage hears.
type storageLog struct {
	mu      sync.Mutex
	changes []StorageChange
}

func (l *storageLog) add(c StorageChange) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.changes = append(l.changes, c)
}

// states returns the states heard so far, in order.
func (l *storageLog) states() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, c := range l.changes {
		if c.State != StorageOK && c.Reason == "" {
			out = append(out, c.State+" without a reason")
			continue
		}
		out = append(out, c.State)
	}
	return out
}
