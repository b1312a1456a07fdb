package record

import (
	"os"
	"path/filepath"
	"testing"
	"time"
	"unsafe"

	"github.com/p2pcam/p2pcam/internal/clock"
	"github.com/p2pcam/p2pcam/media"
)

// BenchmarkRecord2Mbps records a 2 Mbit/s stream (the sim board's super
// clip with each frame's payload doubled, and AAC audio) and reports the
// CPU it takes as a share of one core in real time, the bytes written
// per byte of stream, and the write and fsync calls per second of
// stream. One op is one frame.
//
//	go test -run XXX -bench Record2Mbps -benchtime 3000x ./record/
func BenchmarkRecord2Mbps(b *testing.B) {
	src, bytesPerSec := stream2Mbps(b)
	r, clk := newTestRecorder(b, b.TempDir(), Config{SegmentLength: time.Minute, Quota: 256 << 20})
	start := clk.Now()
	var pts time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		var f media.Frame
		nextFrame(&f, src, i, clk, start)
		pts = f.PTS
		if err := r.Write(&f); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	r.Close()
	st := r.Stats()
	secs := pts.Seconds()
	if secs == 0 {
		return
	}
	b.ReportMetric(bytesPerSec*8/1e6, "Mbit/s")
	b.ReportMetric(100*b.Elapsed().Seconds()/secs, "%core")
	b.ReportMetric(float64(st.FileBytes)/float64(st.FrameBytes), "written/recorded")
	b.ReportMetric(float64(st.FileWrites)/secs, "writes/s")
	b.ReportMetric(float64(st.Syncs)/secs, "fsyncs/s")
}

// stream2Mbps returns 10 s of a 2 Mbit/s stream (the sim board's super
// clip with each frame's payload doubled, and AAC audio) and its bytes
// a second.
func stream2Mbps(b *testing.B) ([]*media.Frame, float64) {
	src := testFrames(b, media.QualitySuper, 10*time.Second)
	var bytesPerSec float64
	for _, f := range src {
		if f.Kind == media.KindVideo {
			f.Payload = append(f.Payload, f.Payload...)
		}
		bytesPerSec += float64(len(f.Payload)) / 10
	}
	return src, bytesPerSec
}

// nextFrame sets f to the i-th frame of src looped, its PTS moved on
// by the loops, and moves clk to its time from start.
func nextFrame(f *media.Frame, src []*media.Frame, i int, clk *clock.Fake, start time.Time) {
	*f = *src[i%len(src)]
	f.PTS += time.Duration(i/len(src)) * 10 * time.Second
	if d := start.Add(f.PTS).Sub(clk.Now()); d > 0 {
		clk.Advance(d)
	}
}

// thirtyDays returns a recorder whose index holds 30 days of one-minute
// segments, as loading them from a directory would.
func thirtyDays(b *testing.B) *Recorder {
	r, _ := newTestRecorder(b, b.TempDir(), Config{})
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for i := range 30 * 24 * 60 {
		n := Name{Start: start.Add(time.Duration(i) * time.Minute), Duration: time.Minute - 40*time.Millisecond}
		r.idx.segs = append(r.idx.segs, toEntry(Segment{Name: n, Size: 15 << 20, End: n.End()}))
	}
	return r
}

// BenchmarkQueryDay30Days is get_record_index over one day of an index
// of 30 days of one-minute segments (43200).
//
//	go test -run XXX -bench 'Query|Month|Load' ./record/
func BenchmarkQueryDay30Days(b *testing.B) {
	r := thirtyDays(b)
	from := time.Date(2026, 11, 17, 0, 0, 0, 0, time.UTC)
	for b.Loop() {
		if n := len(r.Query(from, from.Add(24*time.Hour-time.Millisecond))); n != 1440 {
			b.Fatalf("%d segments", n)
		}
	}
}

// BenchmarkMonth30Days is get_month_record over the same index.
func BenchmarkMonth30Days(b *testing.B) {
	r := thirtyDays(b)
	for b.Loop() {
		if m := r.Month(2026, time.November); m != 1<<30-1 {
			b.Fatalf("mask %b", m)
		}
	}
}

// BenchmarkLoad30Days rebuilds the index from a directory of 30 days of
// one-minute segments (empty files), as p2pcamd does at start.
func BenchmarkLoad30Days(b *testing.B) {
	dir := b.TempDir()
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for i := range 30 * 24 * 60 {
		n := Name{Start: start.Add(time.Duration(i) * time.Minute), Duration: time.Minute}
		if err := os.WriteFile(filepath.Join(dir, n.String()), nil, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	r, _ := newTestRecorder(b, dir, Config{})
	for b.Loop() {
		if err := r.load(); err != nil {
			b.Fatal(err)
		}
	}
	if n := r.Status().Segments; n != 30*24*60 {
		b.Fatalf("%d segments", n)
	}
	// The memory the index holds: one entry per file, in one slice.
	b.ReportMetric(float64(unsafe.Sizeof(entry{})), "index-B/segment")
	b.ReportMetric(float64(cap(r.idx.segs))*float64(unsafe.Sizeof(entry{}))/(1<<20), "index-MiB")
}

// BenchmarkClipPreRoll keeps the default 5 s pre-roll of a 2 Mbit/s
// stream (as BenchmarkRecord2Mbps) with no event, which is what a
// camera with clips on does all day, and reports the CPU it takes as a
// share of one core in real time and what the buffer holds at the end:
// its frames, the payload bytes it keeps alive (shared with the stream
// hub: not copied) and its slice. One op is one frame (the benchmark's
// copy of the frame is its one allocation).
//
//	go test -run XXX -bench ClipPreRoll -benchtime 5000x ./record/
func BenchmarkClipPreRoll(b *testing.B) {
	src, bytesPerSec := stream2Mbps(b)
	r, clk := newTestRecorder(b, b.TempDir(), Config{SegmentLength: MaxSegmentLength})
	c, err := NewClipper(r, ClipConfig{})
	if err != nil {
		b.Fatal(err)
	}
	start := clk.Now()
	var pts time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		f := new(media.Frame) // the pre-roll keeps it
		nextFrame(f, src, i, clk, start)
		pts = f.PTS
		c.Write(f)
	}
	b.StopTimer()
	frames, bytes := c.preRollStats()
	c.Close()
	if pts == 0 {
		return
	}
	b.ReportMetric(bytesPerSec*8/1e6, "Mbit/s")
	b.ReportMetric(100*b.Elapsed().Seconds()/pts.Seconds(), "%core")
	b.ReportMetric(float64(frames), "held-frames")
	b.ReportMetric(float64(bytes)/(1<<20), "held-MiB")
	b.ReportMetric(float64(cap(c.ring))*8/1024, "ring-KiB")
}
