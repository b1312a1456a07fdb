package record

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/internal/clock"
	"github.com/p2pcam/p2pcam/internal/mediatest"
	"github.com/p2pcam/p2pcam/media"
)

// clipEvent is an event at a time of a clip test's stream.
type clipEvent struct {
	at   time.Duration
	do   string // hold, release, pulse
	key  string
	typ  int
	note string
}

// clipSpan is a clip a test wants: its type, and its start and end in
// stream time.
type clipSpan struct {
	typ        int
	start, end time.Duration
}

var clipCases = []struct {
	name              string
	preRoll, postRoll time.Duration
	events            []clipEvent
	want              []clipSpan
}{
	{"pulse", 3 * time.Second, 2 * time.Second,
		[]clipEvent{{at: 10 * time.Second, do: "pulse", typ: 3}},
		[]clipSpan{{3, 7 * time.Second, 12 * time.Second}}},
	{"hold and release", 2 * time.Second, 2 * time.Second,
		[]clipEvent{{at: 5 * time.Second, do: "hold", key: "door", typ: 2}, {at: 9 * time.Second, do: "release", key: "door"}},
		[]clipSpan{{2, 3 * time.Second, 11 * time.Second}}},
	{"overlapping events make one clip of the first's type", 2 * time.Second, 2 * time.Second,
		[]clipEvent{
			{at: 4 * time.Second, do: "hold", key: "motion", typ: 1},
			{at: 6 * time.Second, do: "pulse", typ: 3},
			{at: 7 * time.Second, do: "hold", key: "door", typ: 2},
			{at: 8 * time.Second, do: "release", key: "motion"},
			{at: 11 * time.Second, do: "release", key: "door"},
			{at: 12 * time.Second, do: "pulse", typ: 3}, // within the post-roll: the same clip
		},
		[]clipSpan{{1, 2 * time.Second, 14 * time.Second}}},
	{"events apart make two clips", time.Second, time.Second,
		[]clipEvent{{at: 3 * time.Second, do: "pulse", typ: 3}, {at: 12 * time.Second, do: "pulse", typ: 1}},
		[]clipSpan{{3, 2 * time.Second, 4 * time.Second}, {1, 11 * time.Second, 13 * time.Second}}},
	{"no pre-roll: from the keyframe at or before the event", -1, time.Second,
		[]clipEvent{{at: 6500 * time.Millisecond, do: "pulse", typ: 3}},
		[]clipSpan{{3, 6500 * time.Millisecond, 7500 * time.Millisecond}}},
	{"an unknown release does nothing", time.Second, time.Second,
		[]clipEvent{{at: 3 * time.Second, do: "release", key: "x"}},
		nil},
}

// clipRun feeds frames to a Clipper on a fake clock, applying events at
// their times, and returns it.
func clipRun(t testing.TB, dir string, cfg ClipConfig, frames []*media.Frame, events []clipEvent) *Clipper {
	t.Helper()
	r, clk := newTestRecorder(t, dir, Config{SegmentLength: MaxSegmentLength})
	c, err := NewClipper(r, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range frames {
		if d := t0.Add(f.PTS).Sub(clk.Now()); d > 0 {
			clk.Advance(d)
		}
		for len(events) > 0 && events[0].at <= f.PTS {
			switch e := events[0]; e.do {
			case "hold":
				c.Hold(e.key, e.typ, clk.Now())
			case "release":
				c.Release(e.key)
			case "pulse":
				c.Pulse(e.typ, clk.Now())
			}
			events = events[1:]
		}
		c.Write(f)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestClipper records clips of 20 s of the sim stream (a keyframe a
// second) for events at set times, and checks each clip's type, that
// it starts at the keyframe at or before the event minus the pre-roll,
// ends at the post-roll after the events, and plays (ffmpeg -xerror).
func TestClipper(t *testing.T) {
	frames := testFrames(t, media.QualityStandard, 20*time.Second)
	for _, tc := range clipCases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			c := clipRun(t, dir, ClipConfig{PreRoll: tc.preRoll, PostRoll: tc.postRoll}, frames, tc.events)
			segs := c.Recorder().Query(t0, t0.Add(time.Hour))
			if len(segs) != len(tc.want) {
				t.Fatalf("%d clips %v, want %d", len(segs), segs, len(tc.want))
			}
			if got := c.Stats().Clips; got != uint64(len(tc.want)) {
				t.Errorf("Stats().Clips = %d, want %d", got, len(tc.want))
			}
			for i, w := range tc.want {
				s := segs[i]
				start, end := s.Start().Sub(t0), s.End.Sub(t0)
				// The sim stream has a keyframe a second: the start is
				// the keyframe at or before the wanted one; the end the
				// first frame at or after the post-roll.
				if s.Type() != w.typ || start > w.start || start <= w.start-time.Second || end < w.end-frameInterval || end > w.end+frameInterval {
					t.Errorf("clip %d: %s type %d from %v to %v; want type %d from %v (a GOP before at most) to %v",
						i, s.File(), s.Type(), start, end, w.typ, w.start, w.end)
				}
				path := filepath.Join(dir, s.File())
				p := mediatest.FFprobe(t, path)
				if v := p.VideoPackets(); len(v) == 0 || !v[0].Keyframe() {
					t.Errorf("clip %d does not start with a keyframe", i)
				}
				if len(p.AudioPackets()) == 0 {
					t.Errorf("clip %d has no audio", i)
				}
				mediatest.CheckDecodes(t, path)
			}
			// The index rebuilt from the files says the same.
			r2, _ := newTestRecorder(t, dir, Config{})
			again := r2.Query(t0, t0.Add(time.Hour))
			for i := range min(len(again), len(segs)) {
				if again[i].File() != segs[i].File() || again[i].Type() != segs[i].Type() {
					t.Errorf("reloaded clip %d is %s type %d, was %s", i, again[i].File(), again[i].Type(), segs[i].File())
				}
			}
		})
	}
}

// TestClipPreRollBound checks that the pre-roll buffer holds what the
// pre-roll needs and no more: from the keyframe at or before the newest
// frame minus PreRoll, and never more than PreRollFrames.
func TestClipPreRollBound(t *testing.T) {
	frames := testFrames(t, media.QualityStandard, 12*time.Second)
	for _, tc := range []struct {
		preRoll   time.Duration
		maxFrames int
	}{{time.Second, 0}, {3 * time.Second, 0}, {10 * time.Second, 100}} {
		r, _ := newTestRecorder(t, t.TempDir(), Config{})
		c, err := NewClipper(r, ClipConfig{PreRoll: tc.preRoll, PreRollFrames: tc.maxFrames})
		if err != nil {
			t.Fatal(err)
		}
		var newest time.Duration
		for i, f := range frames {
			c.Write(f)
			newest = max(newest, f.PTS)
			n, _ := c.preRollStats()
			if tc.maxFrames > 0 && n > tc.maxFrames {
				t.Fatalf("pre-roll %v: %d frames held, the bound is %d", tc.preRoll, n, tc.maxFrames)
			}
			if f.PTS < 5*time.Second || tc.maxFrames > 0 {
				continue
			}
			first := c.ring[0]
			if !first.Key || first.Kind != media.KindVideo || first.PTS > newest-tc.preRoll || first.PTS <= newest-tc.preRoll-time.Second {
				t.Fatalf("pre-roll %v at frame %d (%v): the buffer starts at %v (key %v)", tc.preRoll, i, f.PTS, first.PTS, first.Key)
			}
		}
		if n, b := c.preRollStats(); n == 0 || b == 0 {
			t.Errorf("pre-roll %v: the buffer holds %d frames, %d bytes", tc.preRoll, n, b)
		}
		c.Close()
		if n, b := c.preRollStats(); n != 0 || b != 0 {
			t.Errorf("after Close the buffer holds %d frames, %d bytes", n, b)
		}
	}
}

func TestClipConfig(t *testing.T) {
	r, _ := newTestRecorder(t, t.TempDir(), Config{Clock: clock.NewFake(t0)})
	for _, cfg := range []ClipConfig{{PreRoll: MaxPreRoll + 1}, {PostRoll: -1}, {PostRoll: MaxPostRoll + 1}, {PreRollFrames: -1}} {
		if _, err := NewClipper(r, cfg); err == nil {
			t.Errorf("NewClipper(%+v) accepted", cfg)
		}
	}
	c, err := NewClipper(r, ClipConfig{})
	if err != nil || c.cfg.PreRoll != DefaultPreRoll || c.cfg.PostRoll != DefaultPostRoll {
		t.Errorf("zero config: %+v, %v", c, err)
	}
}
