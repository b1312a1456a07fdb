package record

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/internal/clock"
	"github.com/p2pcam/p2pcam/internal/mediatest"
	"github.com/p2pcam/p2pcam/media"
	"github.com/p2pcam/p2pcam/mux/flv"
)

// TestPlayer plays recorded spans, muxed to FLV as the camera sends
// them, and checks with ffprobe that each starts at the keyframe at or
// before its start, runs on across segments with steady timestamps, and
// took real time to play.
func TestPlayer(t *testing.T) {
	dir := t.TempDir()
	r, clk := newTestRecorder(t, dir, Config{})
	frames := testFrames(t, media.QualityHigh, 12*time.Second)
	record(t, r, clk, frames)
	r.Close()
	// Play with the real clock: the pacing is what is tested.
	player, _ := newTestRecorder(t, dir, Config{Clock: clock.Real{}})
	cases := []struct {
		name       string
		from, to   time.Duration // after t0
		firstFrame time.Duration // wall position of the first frame, after t0
		length     time.Duration
	}{
		{"mid segment", 6500 * time.Millisecond, 8 * time.Second, 6 * time.Second, 2 * time.Second},
		{"across segments", 4200 * time.Millisecond, 6 * time.Second, 4 * time.Second, 2 * time.Second},
		{"on a keyframe", 3 * time.Second, 4 * time.Second, 3 * time.Second, time.Second},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := player.Play(t0.Add(c.from), t0.Add(c.to))
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			out := filepath.Join(t.TempDir(), "play.flv")
			file, err := os.Create(out)
			if err != nil {
				t.Fatal(err)
			}
			bw := bufio.NewWriter(file)
			mux := flv.NewMuxer(bw, flv.MuxerConfig{HasVideo: true, HasAudio: true})
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			began := time.Now()
			var first *media.Frame
			var firstAt time.Time
			for {
				f, err := p.Next(ctx)
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if first == nil {
					first, firstAt = f, p.Position()
				}
				if err := mux.WriteFrame(f); err != nil {
					t.Fatal(err)
				}
			}
			took := time.Since(began)
			bw.Flush()
			file.Close()
			if first == nil || first.Kind != media.KindVideo || !first.Key || first.PTS != 0 {
				t.Fatalf("first frame %+v, want a keyframe at 0", first)
			}
			if want := t0.Add(c.firstFrame); !firstAt.Equal(want) {
				t.Errorf("first frame recorded at %v, want %v (the keyframe at or before the start)", firstAt, want)
			}
			if took < c.length-frameInterval*2 || took > c.length+2*time.Second {
				t.Errorf("playing took %v, want about %v (real time)", took, c.length)
			}
			probe := mediatest.FFprobe(t, out)
			probe.CheckMonotonic(t)
			vp := probe.VideoPackets()
			if len(vp) == 0 || !vp[0].Keyframe() || vp[0].PTS != 0 {
				t.Fatalf("video does not start with a keyframe at 0: %+v", vp[:min(1, len(vp))])
			}
			for i := 1; i < len(vp); i++ {
				if d := vp[i].PTS - vp[i-1].PTS; d < 30 || d > 50 {
					t.Errorf("video packet %d: %d ms after the one before, want 40", i, d)
				}
			}
			if last := vp[len(vp)-1].PTS; time.Duration(last)*time.Millisecond < c.length-2*frameInterval || time.Duration(last)*time.Millisecond > c.length {
				t.Errorf("last video packet at %d ms, want about %v", last, c.length)
			}
			ap := probe.AudioPackets()
			if len(ap) == 0 {
				t.Error("no audio")
			}
			// No audio lost, across a segment boundary too: 64 ms frames.
			for i := 1; i < len(ap); i++ {
				if d := ap[i].PTS - ap[i-1].PTS; d > 66 {
					t.Errorf("audio packet %d: %d ms after the one before: a gap", i, d)
				}
			}
			mediatest.CheckDecodes(t, out)
		})
	}
	if _, err := player.Play(t0.Add(time.Hour), t0.Add(2*time.Hour)); !errors.Is(err, ErrNotFound) {
		t.Errorf("play where nothing was recorded: %v, want ErrNotFound", err)
	}
}

// TestPlayerSpeed plays spans at a set speed with the real clock: the
// recording goes by at speed times wall time, output timestamps at wall
// rate and only growing; at 2 and above only video keyframes come.
func TestPlayerSpeed(t *testing.T) {
	dir := t.TempDir()
	r, clk := newTestRecorder(t, dir, Config{})
	record(t, r, clk, testFrames(t, media.QualityHigh, 12*time.Second))
	r.Close()
	player, _ := newTestRecorder(t, dir, Config{Clock: clock.Real{}})
	for _, c := range []struct {
		speed    float64
		from, to time.Duration // after t0
	}{
		{4, 2 * time.Second, 10 * time.Second},
		{8, 0, 12 * time.Second},
		{2, 3 * time.Second, 7 * time.Second},
		{0.5, 6 * time.Second, 7 * time.Second},
		{1, 6 * time.Second, 8 * time.Second},
	} {
		t.Run(fmt.Sprint(c.speed), func(t *testing.T) {
			p, err := player.Play(t0.Add(c.from), t0.Add(c.to))
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			p.SetSpeed(c.speed)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			began := time.Now()
			var video, audio, nonKey int
			last := map[media.Kind]time.Duration{}
			var lastPTS time.Duration
			for {
				f, err := p.Next(ctx)
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if prev, ok := last[f.Kind]; ok && f.PTS <= prev {
					t.Fatalf("%v frame at %v after %v", f.Kind, f.PTS, prev)
				}
				last[f.Kind], lastPTS = f.PTS, max(lastPTS, f.PTS)
				if f.Kind == media.KindAudio {
					audio++
				} else if video++; !f.Key {
					nonKey++
				}
			}
			took := time.Since(began)
			want := time.Duration(float64(c.to-c.from) / c.speed)
			t.Logf("speed %v: %d video (%d not key), %d audio in %v; last PTS %v", c.speed, video, nonKey, audio, took, lastPTS)
			// Keyframes come each second: the last may be up to one
			// second of recording before the end.
			slack := time.Duration(float64(time.Second)/c.speed) + 2*frameInterval
			if took < want-slack || took > want+time.Second {
				t.Errorf("took %v, want about %v", took, want)
			}
			if lastPTS < want-slack || lastPTS > want {
				t.Errorf("last PTS %v, want about %v (wall rate)", lastPTS, want)
			}
			if c.speed >= 2 && (nonKey != 0 || audio != 0 || video < 2) {
				t.Errorf("fast: %d video, %d not key, %d audio; want keyframes only", video, nonKey, audio)
			}
			if c.speed < 2 && (nonKey < 10 || audio < 10) {
				t.Errorf("%d video not key, %d audio; want every frame", nonKey, audio)
			}
		})
	}
}
