package record

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/internal/mediatest"
	"github.com/p2pcam/p2pcam/media"
)

// TestRecordSegments records 20 s of the sim board in 5 s segments, then
// checks the files, that each plays cleanly with audio and video, and
// that a new recorder on the directory rebuilds the same index.
func TestRecordSegments(t *testing.T) {
	dir := t.TempDir()
	r, clk := newTestRecorder(t, dir, Config{})
	record(t, r, clk, testFrames(t, media.QualityHigh, 20*time.Second))
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	segs := r.Query(t0, t0.Add(time.Hour))
	if len(segs) != 4 {
		t.Fatalf("%d segments, want 4: %+v", len(segs), segs)
	}
	for i, s := range segs {
		if want := t0.Add(time.Duration(i) * 5 * time.Second); !s.Start().Equal(want) {
			t.Errorf("segment %d starts %v, want %v", i, s.Start(), want)
		}
		if s.Open || !s.Name.Finished() {
			t.Errorf("segment %d still open: %+v", i, s)
		}
		if d := s.Name.Duration; d < 4900*time.Millisecond || d > 5*time.Second {
			t.Errorf("segment %d lasts %v, want about 5s", i, d)
		}
		path := filepath.Join(dir, s.File())
		fi, err := os.Stat(path)
		if err != nil || fi.Size() != s.Size {
			t.Fatalf("segment %d: stat %v, size %d in the index", i, err, s.Size)
		}
		p := mediatest.FFprobe(t, path)
		if v := p.Video(t); v.Width != 640 || v.Height != 360 {
			t.Errorf("segment %d: video %dx%d", i, v.Width, v.Height)
		}
		if a := p.Audio(t); a.CodecName != "aac" || a.SampleRate != "16000" {
			t.Errorf("segment %d: audio %+v", i, a)
		}
		if vp := p.VideoPackets(); len(vp) == 0 || !vp[0].Keyframe() || vp[0].PTS != 0 {
			t.Errorf("segment %d does not start with a keyframe at 0: %+v", i, vp[:min(1, len(vp))])
		}
		p.CheckMonotonic(t)
		mediatest.CheckDecodes(t, path)
	}
	st := r.Stats()
	if st.Syncs == 0 || st.FileBytes == 0 || float64(st.FileBytes)/float64(st.FrameBytes) > 1.05 {
		t.Errorf("stats %+v: want syncs, and file bytes within 5%% of frame bytes", st)
	}

	again, _ := newTestRecorder(t, dir, Config{})
	if got := again.Query(t0, t0.Add(time.Hour)); !slices.Equal(got, segs) {
		t.Errorf("rebuilt index\n%+v\nwant\n%+v", got, segs)
	}
}

// TestQueryAndMonth checks Query's overlap rule and the month mask over
// recordings on chosen days.
func TestQueryAndMonth(t *testing.T) {
	dir := t.TempDir()
	days := []time.Time{
		time.Date(2026, 11, 30, 23, 59, 58, 0, time.UTC), // runs into Dec 1
		time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC),
		time.Date(2026, 12, 31, 10, 0, 0, 0, time.UTC),
	}
	frames := testFrames(t, media.QualityStandard, 4*time.Second)
	for _, d := range days {
		r, clk := newTestRecorder(t, dir, Config{})
		clk.Advance(d.Sub(clk.Now()))
		record(t, r, clk, frames)
		r.Close()
	}
	r, _ := newTestRecorder(t, dir, Config{})
	cases := []struct {
		name     string
		from, to time.Time
		want     int
	}{
		{"all", days[0].Add(-time.Hour), days[2].Add(time.Hour), 3},
		{"inside one", days[1].Add(time.Second), days[1].Add(2 * time.Second), 1},
		{"ends at start", days[1].Add(-time.Hour), days[1], 1},
		{"between", days[1].Add(time.Minute), days[2].Add(-time.Minute), 0},
		{"after", days[2].Add(time.Minute), days[2].Add(time.Hour), 0},
	}
	for _, c := range cases {
		if got := r.Query(c.from, c.to); len(got) != c.want {
			t.Errorf("%s: %d segments, want %d: %+v", c.name, len(got), c.want, got)
		}
	}
	if got, want := r.Month(2026, time.December), uint32(1<<0|1<<6|1<<30); got != want {
		t.Errorf("December mask %b, want %b", got, want)
	}
	if got, want := r.Month(2026, time.November), uint32(1<<29); got != want {
		t.Errorf("November mask %b, want %b", got, want)
	}
	if got := r.Month(2027, time.January); got != 0 {
		t.Errorf("January mask %b, want 0", got)
	}
}

// TestAudioAcrossSegments: audio reaches the recorder later than video
// of the same time (150 ms in testFrames), so at each segment boundary
// the audio of just before the new segment's keyframe comes after it.
// The previous segment takes it: laid end to end by their start times,
// the segments hold every audio frame, no gap longer than a frame, and
// each file's timestamps still only grow.
func TestAudioAcrossSegments(t *testing.T) {
	dir := t.TempDir()
	r, clk := newTestRecorder(t, dir, Config{})
	frames := testFrames(t, media.QualityStandard, 16*time.Second)
	record(t, r, clk, frames)
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	var want []time.Duration
	for _, f := range frames {
		if f.Kind == media.KindAudio {
			want = append(want, f.PTS)
		}
	}
	segs := r.Query(t0, t0.Add(time.Hour))
	if len(segs) < 3 {
		t.Fatalf("%d segments, want 3 or more", len(segs))
	}
	var got []time.Duration
	for _, s := range segs {
		p := mediatest.FFprobe(t, filepath.Join(dir, s.File()))
		p.CheckMonotonic(t)
		for _, a := range p.AudioPackets() {
			got = append(got, s.Start().Sub(t0)+time.Duration(a.PTS)*time.Millisecond)
		}
	}
	frame := want[1] - want[0]
	var worst time.Duration
	for i := 1; i < len(got); i++ {
		worst = max(worst, got[i]-got[i-1])
	}
	t.Logf("%d audio frames recorded of %d; longest gap %v (a frame is %v)", len(got), len(want), worst, frame)
	// All but those still in the microphone's latency when recording ended.
	if missing := len(want) - len(got); missing < 0 || time.Duration(missing)*frame > audioLatency+frame {
		t.Errorf("%d audio frames recorded of %d", len(got), len(want))
	}
	if worst > frame+2*time.Millisecond {
		t.Errorf("a gap of %v in the audio across segments (a frame is %v)", worst, frame)
	}
}
