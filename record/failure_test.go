package record

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/internal/clock"
	"github.com/p2pcam/p2pcam/internal/mediatest"
	"github.com/p2pcam/p2pcam/media"
)

// TestCrashRepair leaves a segment as a crash does (written, not
// finished, with half a tag at its end), and checks that a new recorder
// cuts it to its last whole tag, renames it finished, and that what is
// left plays cleanly.
func TestCrashRepair(t *testing.T) {
	dir := t.TempDir()
	r, clk := newTestRecorder(t, dir, Config{SegmentLength: MaxSegmentLength, FlushInterval: 500 * time.Millisecond})
	record(t, r, clk, testFrames(t, media.QualityHigh, 3*time.Second))
	// No Close: the process dies here. Half a tag reaches the file.
	open := r.Query(t0, t0.Add(time.Hour))
	if len(open) != 1 || !open[0].Open || open[0].Size == 0 {
		t.Fatalf("index while recording: %+v", open)
	}
	path := filepath.Join(dir, open[0].File())
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte{9, 0, 0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0x17, 1, 0, 0, 0, 0, 0, 0x30})
	f.Close()
	r.cur.f.Close()
	for _, junk := range []string{"notes.txt", "ch0_garbage.flv", "ch1_20261206T090000.000Z_1000.flv"} {
		os.WriteFile(filepath.Join(dir, junk), []byte("not ours"), 0o644)
	}

	again, _ := newTestRecorder(t, dir, Config{})
	segs := again.Query(t0, t0.Add(time.Hour))
	if len(segs) != 1 || segs[0].Open || !segs[0].Start().Equal(t0) {
		t.Fatalf("after the crash: %+v", segs)
	}
	if d := segs[0].Name.Duration; d < 2400*time.Millisecond || d > 3*time.Second {
		t.Errorf("repaired segment lasts %v, want about what was flushed (2.5 to 3s)", d)
	}
	if again.Stats().Repaired != 1 {
		t.Errorf("stats %+v: want one repaired", again.Stats())
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the unfinished name is still there: %v", err)
	}
	mediatest.CheckDecodes(t, filepath.Join(dir, segs[0].File()))
	for _, junk := range []string{"notes.txt", "ch0_garbage.flv", "ch1_20261206T090000.000Z_1000.flv"} {
		if _, err := os.Stat(filepath.Join(dir, junk)); err != nil {
			t.Errorf("%s was touched: %v", junk, err)
		}
	}
}

// TestRetention records into a quota of about three segments and checks
// that the files on disk never exceed it and the oldest go first; then
// that MaxAge deletes what is older.
func TestRetention(t *testing.T) {
	dir := t.TempDir()
	frames := testFrames(t, media.QualityHigh, 30*time.Second)
	// About 53 KB a second: a 5 s segment is about 270 KB.
	const quota = 800 << 10
	r, clk := newTestRecorder(t, dir, Config{Quota: quota, BufferSize: 64 << 10})
	start := clk.Now()
	for _, f := range frames {
		if d := start.Add(f.PTS).Sub(clk.Now()); d > 0 {
			clk.Advance(d)
		}
		if err := r.Write(f); err != nil {
			t.Fatal(err)
		}
		if used := dirBytes(t, dir); used > quota {
			t.Fatalf("at %v the recordings take %d bytes, over the quota of %d", f.PTS, used, quota)
		}
	}
	r.Close()
	segs := r.Query(t0, t0.Add(time.Hour))
	if len(segs) < 2 || len(segs) > 3 || r.Stats().Deleted < 3 {
		t.Fatalf("%d segments left, %d deleted: want the newest 2 or 3 of 6", len(segs), r.Stats().Deleted)
	}
	if last := segs[len(segs)-1]; !last.Start().Equal(t0.Add(25 * time.Second)) {
		t.Errorf("newest segment starts %v, want the last one", last.Start())
	}

	// A day later, with a max age of an hour: a new segment's start
	// deletes everything before it.
	r2, clk2 := newTestRecorder(t, dir, Config{MaxAge: time.Hour, Clock: clock.NewFake(t0.Add(24 * time.Hour))})
	record(t, r2, clk2, frames[:60])
	if segs := r2.Query(t0, t0.Add(48*time.Hour)); len(segs) != 1 || !segs[0].Start().Equal(t0.Add(24*time.Hour)) {
		t.Errorf("after max age: %+v", segs)
	}
}

// dirBytes is the size of the files in dir.
func dirBytes(t *testing.T, dir string) int64 {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, e := range es {
		if fi, err := e.Info(); err == nil {
			n += fi.Size()
		}
	}
	return n
}

// TestRestamp records while the clock says 1970 and checks that the
// segments are renamed with the right time once it is set.
func TestRestamp(t *testing.T) {
	dir := t.TempDir()
	boot := time.Unix(30, 0)
	r, clk := newTestRecorder(t, dir, Config{Clock: clock.NewFake(boot)})
	frames := testFrames(t, media.QualityStandard, 20*time.Second)
	mid := 0 // the 10 s keyframe
	for frames[mid].PTS < 10*time.Second || frames[mid].Kind != media.KindVideo {
		mid++
	}
	record(t, r, clk, frames[:mid]) // 10 s: two segments in 1970
	// NTP sets the clock.
	ntp := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	clk.Advance(ntp.Sub(clk.Now()))
	start := ntp.Add(-frames[mid].PTS)
	for _, f := range frames[mid:] {
		if d := start.Add(f.PTS).Sub(clk.Now()); d > 0 {
			clk.Advance(d)
		}
		if err := r.Write(f); err != nil {
			t.Fatal(err)
		}
	}
	r.Close()
	if old := r.Query(time.Unix(0, 0), time.Unix(3600, 0)); len(old) != 0 {
		t.Errorf("segments left in 1970: %+v", old)
	}
	segs := r.Query(start.Add(-time.Minute), ntp.Add(time.Hour))
	if len(segs) != 4 || r.Stats().Restamped != 2 {
		t.Fatalf("%d segments, %d re-stamped: %+v", len(segs), r.Stats().Restamped, segs)
	}
	for i, s := range segs {
		want := start.Add(time.Duration(i) * 5 * time.Second)
		if d := s.Start().Sub(want).Abs(); d > 50*time.Millisecond {
			t.Errorf("segment %d starts %v, want %v", i, s.Start(), want)
		}
	}
}

// TestStorageGoneAndBack removes the storage directory under a running
// recorder, then puts it back: recording stops with a reason, and
// resumes after RetryInterval with the index of what is there.
func TestStorageGoneAndBack(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sd")
	r, clk := newTestRecorder(t, dir, Config{FlushInterval: 200 * time.Millisecond, RetryInterval: 3 * time.Second})
	frames := testFrames(t, media.QualityStandard, 30*time.Second)
	start := clk.Now()
	write := func(from, to time.Duration) (failed int) {
		for _, f := range frames {
			if f.PTS < from || f.PTS >= to {
				continue
			}
			if d := start.Add(f.PTS).Sub(clk.Now()); d > 0 {
				clk.Advance(d)
			}
			if r.Write(f) != nil {
				failed++
			}
		}
		return failed
	}
	write(0, 7*time.Second)
	if err := os.RemoveAll(dir); err != nil { // the card is pulled
		t.Fatal(err)
	}
	// Writes to the open file may go on; finishing the segment at 10s
	// cannot.
	if write(7*time.Second, 11*time.Second) == 0 {
		t.Fatal("no write failed with the directory gone")
	}
	st := r.Status()
	if st.Recording || st.Reason == "" {
		t.Fatalf("status %+v: want stopped with a reason", st)
	}
	write(11*time.Second, 15*time.Second)
	if st := r.Status(); st.Recording {
		t.Fatalf("recording with no directory: %+v", st)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil { // the card is back
		t.Fatal(err)
	}
	write(15*time.Second, 22*time.Second)
	r.Close()
	if st := r.Status(); !st.Recording {
		t.Fatalf("not recording after the directory came back: %+v", st)
	}
	segs := r.Query(t0, t0.Add(time.Hour))
	if len(segs) == 0 || segs[0].Start().Before(t0.Add(15*time.Second)) || segs[0].Start().After(t0.Add(19*time.Second)) {
		t.Fatalf("after the card came back: %+v, want recordings from about 16s", segs)
	}
	for _, s := range segs {
		mediatest.CheckDecodes(t, filepath.Join(dir, s.File()))
	}
}

// TestCrashWhileClosing: a crash in the moment after a segment boundary,
// while the previous segment still waits for its late audio, leaves two
// unfinished segments; a new recorder repairs both, and they play.
func TestCrashWhileClosing(t *testing.T) {
	dir := t.TempDir()
	r, clk := newTestRecorder(t, dir, Config{FlushInterval: 200 * time.Millisecond})
	frames := testFrames(t, media.QualityStandard, 7*time.Second)
	// Up to the second video frame of the segment that starts at 5 s:
	// its audio is still 150 ms behind.
	n, video := 0, 0
	for i, f := range frames {
		if f.Kind == media.KindVideo && f.PTS >= 5*time.Second {
			if video++; video == 2 {
				n = i
				break
			}
		}
	}
	record(t, r, clk, frames[:n])
	if r.closing == nil || r.cur == nil {
		t.Fatalf("closing %v, current %v: want both open", r.closing != nil, r.cur != nil)
	}
	if open := r.Query(t0, t0.Add(time.Hour)); len(open) != 2 || !open[0].Open || !open[1].Open {
		t.Fatalf("index while two are open: %+v", open)
	}
	// The process dies: what is buffered is lost; what was flushed of
	// the new segment is on the file.
	if err := r.flush(r.cur); err != nil {
		t.Fatal(err)
	}
	r.closing.f.Close()
	r.cur.f.Close()

	again, _ := newTestRecorder(t, dir, Config{})
	segs := again.Query(t0, t0.Add(time.Hour))
	if len(segs) != 2 || segs[0].Open || segs[1].Open || !segs[0].Name.Finished() || !segs[1].Name.Finished() {
		t.Fatalf("after the crash: %+v, stats %+v", segs, again.Stats())
	}
	if d := segs[0].Name.Duration; d < 4500*time.Millisecond || d > 5*time.Second {
		t.Errorf("the first segment lasts %v, want what was flushed of its 5 s", d)
	}
	for _, s := range segs {
		mediatest.CheckDecodes(t, filepath.Join(dir, s.File()))
	}
}
