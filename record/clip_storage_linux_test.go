package record

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/p2pcam/p2pcam/internal/clock"
	"github.com/p2pcam/p2pcam/internal/mediatest"
	"github.com/p2pcam/p2pcam/media"
)

// feedClips writes frames to c from PTS from to to, moving clk along
// with them from start, and pulses a clip of type 3 every `every`.
func feedClips(c *Clipper, clk *clock.Fake, start time.Time, frames []*media.Frame, from, to, every time.Duration) {
	next := from
	for _, f := range frames {
		if f.PTS < from || f.PTS >= to {
			continue
		}
		if d := start.Add(f.PTS).Sub(clk.Now()); d > 0 {
			clk.Advance(d)
		}
		if f.PTS >= next {
			c.Pulse(3, clk.Now())
			next += every
		}
		c.Write(f)
	}
}

// TestClipFullCard records a clip every 3 s for 40 s (about 2 MB of
// the high stream) onto a 1 MiB card: retention deletes the oldest
// clips before a write fails, recording goes on to the end, and the
// clips left play.
func TestClipFullCard(t *testing.T) {
	card := mountTmpfs(t, 1<<20)
	r, clk := newTestRecorder(t, card, Config{MinFree: 128 << 10, BufferSize: 32 << 10, SegmentLength: MaxSegmentLength})
	c, err := NewClipper(r, ClipConfig{PreRoll: time.Second, PostRoll: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	frames := testFrames(t, media.QualityHigh, 40*time.Second)
	feedClips(c, clk, clk.Now(), frames, 0, 40*time.Second, 3*time.Second)
	c.Close()
	if st := r.Status(); !st.Recording || r.Stats().Deleted == 0 || r.Stats().Failures != 0 {
		t.Fatalf("status %+v, stats %+v: want recording, the oldest clips deleted, no failed write", st, r.Stats())
	}
	segs := r.Query(t0, t0.Add(time.Hour))
	if len(segs) < 2 || segs[len(segs)-1].End.Before(t0.Add(37*time.Second)) {
		t.Fatalf("clips %+v: want the last ones kept", segs)
	}
	for _, s := range segs {
		if s.Type() != 3 {
			t.Errorf("clip %s: type %d", s.File(), s.Type())
		}
		mediatest.CheckDecodes(t, filepath.Join(card, s.File()))
	}
}

// TestClipCardPulled detaches the card (a lazy unmount) between clips:
// the next clip cannot start, the clip recorder stops with a reason and writes nothing where the
// card was; once a card is back, the next event's clip is recorded.
func TestClipCardPulled(t *testing.T) {
	mnt := mountTmpfs(t, 8<<20)
	dir := filepath.Join(mnt, "clips")
	r, clk := newTestRecorder(t, dir, Config{FlushInterval: 200 * time.Millisecond, RetryInterval: 2 * time.Second, SegmentLength: MaxSegmentLength})
	c, err := NewClipper(r, ClipConfig{PreRoll: time.Second, PostRoll: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	frames := testFrames(t, media.QualityStandard, 30*time.Second)
	start := clk.Now()
	feedClips(c, clk, start, frames, 0, 6*time.Second, 10*time.Second) // one clip, 0 to 2 s
	if n := len(r.Query(t0, t0.Add(time.Hour))); n != 1 {
		t.Fatalf("%d clips before the card is pulled, want 1", n)
	}
	if err := unix.Unmount(mnt, unix.MNT_DETACH); err != nil {
		t.Fatal(err)
	}
	feedClips(c, clk, start, frames, 6*time.Second, 14*time.Second, time.Second)
	if st := r.Status(); st.Recording || st.Reason == "" {
		t.Fatalf("status %+v: want stopped with a reason", st)
	}
	if es, err := os.ReadDir(mnt); err != nil || len(es) > 0 {
		t.Fatalf("something was written where the card was: %v %v", es, err)
	}
	if err := unix.Mount("tmpfs", mnt, "tmpfs", 0, "size=8m"); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	feedClips(c, clk, start, frames, 14*time.Second, 25*time.Second, 4*time.Second)
	c.Close()
	if st := r.Status(); !st.Recording {
		t.Fatalf("status %+v: want recording again", st)
	}
	segs := r.Query(t0, t0.Add(time.Hour))
	if len(segs) == 0 || segs[0].Start().Before(t0.Add(14*time.Second)) {
		t.Fatalf("clips on the new card %+v", segs)
	}
	for _, s := range segs {
		mediatest.CheckDecodes(t, filepath.Join(dir, s.File()))
	}
}
