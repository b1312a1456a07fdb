package record

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/p2pcam/p2pcam/internal/clock"
	"github.com/p2pcam/p2pcam/media"
	"github.com/p2pcam/p2pcam/mux/flv"
	"github.com/p2pcam/p2pcam/stream"
)

// reanchorAfter is how far the wall clock may move from the time the
// frames' own timestamps give before a new segment takes the clock's
// time again (NTP stepped the clock, or the recording had a gap).
const reanchorAfter = 2 * time.Second

// Recorder records one stream into segments in a directory and keeps
// their index. Write is called from one goroutine (Run's); the queries
// are safe from any.
type Recorder struct {
	cfg Config
	log *slog.Logger
	// mount is set when Dir was a mount point at start (the card mounted
	// right there): it must be one again before recording resumes, so
	// that nothing is written into the empty folder a pulled card leaves.
	mount bool

	mu      sync.Mutex // guards idx, stopped and stats
	idx     index
	stopped string // why recording is stopped; "" while it records or waits for video
	stats   Stats

	// Owned by the goroutine that calls Write.
	cur *segment
	// closing is the segment before cur, kept open after cur started for
	// the audio of before cur's keyframe that is still to come (the
	// microphone's latency): finished once audio reaches cur's start,
	// or video is closingWait past it.
	closing    *segment
	retryAt    time.Time     // a stopped recorder tries again from then
	anchorWall time.Time     // wall-clock time of anchorPTS
	anchorPTS  time.Duration // a frame time of this run; anchored tells whether set
	anchored   bool
	// pinned makes the next segment's start come from the anchor
	// however far the clock is from it: a clip's pre-roll frames are
	// older than the clock by the pre-roll (Clipper.startClip).
	pinned    bool
	typ       int         // the type of the segments started: 0, or a clip's
	unstamped []unstamped // segments of this run started before the clock was trusted
}

// unstamped is a segment named with an untrusted clock: its first
// frame's PTS gives its real start once the clock is right.
type unstamped struct {
	name     Name
	firstPTS time.Duration
}

// Stats counts what a Recorder did.
type Stats struct {
	Frames      uint64 // frames written
	FrameBytes  uint64 // their payload bytes
	FileBytes   uint64 // bytes written to segment files
	FileWrites  uint64 // write calls on segment files
	Syncs       uint64 // fsync calls
	Segments    uint64 // segments started
	Deleted     uint64 // segments deleted by retention
	Dropped     uint64 // frames not recorded (stopped, or waiting for a keyframe)
	Failures    uint64 // storage errors
	Restamped   uint64 // segments renamed once the clock was trusted
	Repaired    uint64 // segments whose damaged tail was cut at start
	ActiveBytes int64  // bytes the recordings take now
}

// Status says whether the recorder is writing.
type Status struct {
	// Recording is false when the storage failed; Reason says why.
	Recording bool
	Reason    string
	Segments  int
	Bytes     int64
}

// New opens the storage directory, making it if missing, and rebuilds
// the index from its files: a segment left unfinished by a crash is cut
// to its last whole tag and renamed as finished. A directory that cannot
// be opened does not fail New: the recorder starts stopped, says why in
// Status, and tries again every RetryInterval.
func New(cfg Config) (*Recorder, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	r := &Recorder{cfg: cfg, log: cfg.Logger.With("record", cfg.Dir)}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		r.stop(fmt.Errorf("make the storage directory: %w", err))
		return r, nil
	}
	r.mount = isMountPoint(cfg.Dir)
	if err := r.load(); err != nil {
		r.stop(err)
	}
	return r, nil
}

// Source is a stream the recorder subscribes to: a *stream.Hub.
type Source interface {
	Subscribe() (*stream.Subscriber, error)
}

// Run records src until ctx is done, then finishes the segment being
// written. When the source fails it subscribes again after
// RetryInterval. It returns an error only when src cannot be subscribed.
func (r *Recorder) Run(ctx context.Context, src Source) error {
	defer r.Close()
	// A write failure is logged and retried by Write.
	return r.follow(ctx, src, "recorded", func(f *media.Frame) { _ = r.Write(f) }, func() { r.endRun() })
}

// follow subscribes to src and hands its frames to write until ctx is
// done; when the source fails it calls endRun and subscribes again
// after RetryInterval. what names the stream in the log.
func (r *Recorder) follow(ctx context.Context, src Source, what string, write func(*media.Frame), endRun func()) error {
	for {
		sub, err := src.Subscribe()
		if err != nil {
			return fmt.Errorf("record: %w", err)
		}
		for {
			f, err := sub.Next(ctx)
			if err != nil {
				if ctx.Err() == nil {
					r.log.Warn(what+" stream ended; subscribing again", "err", err, "retry", r.cfg.RetryInterval)
				}
				break
			}
			write(f)
		}
		sub.Close()
		endRun()
		if clock.SleepUntil(ctx, r.cfg.Clock, r.cfg.Clock.Now().Add(r.cfg.RetryInterval)) != nil {
			return nil
		}
	}
}

// Close finishes the segment being written.
func (r *Recorder) Close() error {
	return r.endRun()
}

// endRun finishes the current segment: the next frame starts a new run
// (its time comes from the clock again).
func (r *Recorder) endRun() error {
	r.anchored = false
	err := r.finishClosing()
	if err == nil && r.cur != nil {
		err = r.finish()
	}
	if err != nil {
		r.fail(err)
	}
	return err
}

// closingWait bounds how long, in video time, the previous segment
// waits for its late audio: longer than any microphone's latency.
const closingWait = time.Second

// finishClosing finishes the segment kept open for its late audio.
func (r *Recorder) finishClosing() error {
	s := r.closing
	if s == nil {
		return nil
	}
	r.closing = nil
	return r.finishSegment(s)
}

// Write records f. A segment starts at a video keyframe; frames before
// the first are dropped. It returns the storage error that stopped
// recording, after logging it; the recorder tries again by itself.
func (r *Recorder) Write(f *media.Frame) error {
	if r.cur == nil || (f.Kind == media.KindVideo && f.Key && f.PTS-r.cur.firstPTS >= r.cfg.SegmentLength) {
		if f.Kind != media.KindVideo || !f.Key {
			r.count(func(s *Stats) { s.Dropped++ })
			return nil
		}
		if r.cur != nil {
			// The segment stays open for the audio of before f that is
			// still to come; an older one waiting so is finished.
			if err := r.finishClosing(); err != nil {
				r.fail(err)
				return err
			}
			r.closing, r.cur = r.cur, nil
		}
		if err := r.open(f); err != nil {
			r.count(func(s *Stats) { s.Dropped++ })
			if !errors.Is(err, errWaiting) {
				r.fail(err)
				return err
			}
			return nil
		}
	}
	s := r.cur
	if f.PTS < s.firstPTS {
		// Audio of before the keyframe that started the segment, late
		// from the microphone: it goes to the previous segment, while
		// that waits for it.
		if c := r.closing; c != nil && f.PTS >= c.firstPTS {
			s = c
		} else {
			r.count(func(st *Stats) { st.Dropped++ })
			return nil
		}
	} else if r.closing != nil && (f.Kind == media.KindAudio || f.PTS-s.firstPTS >= closingWait) {
		// Audio has reached this segment (it comes in PTS order), or
		// there is none: the previous segment has all it will get.
		if err := r.finishClosing(); err != nil {
			r.fail(err)
			return err
		}
	}
	if err := s.mux.WriteFrame(f); err != nil {
		r.fail(err)
		return err
	}
	s.lastPTS = max(s.lastPTS, f.PTS)
	r.count(func(st *Stats) { st.Frames++; st.FrameBytes += uint64(len(f.Payload)) })
	if s == r.cur && f.PTS-s.flushedPTS >= r.cfg.FlushInterval {
		if err := r.flush(s); err != nil {
			r.fail(err)
			return err
		}
	}
	return nil
}

// errWaiting means a stopped recorder is not due to try again yet.
var errWaiting = errors.New("record: waiting to retry")

// segment is the file being written.
type segment struct {
	r          *Recorder
	f          *os.File
	bw         *bufio.Writer
	mux        *flv.Muxer
	name       Name
	written    int64         // bytes written to the file
	indexed    int64         // of those, what the index counts (whole tags)
	firstPTS   time.Duration // of the first frame
	lastPTS    time.Duration // of the last frame muxed
	flushedPTS time.Duration // of the last frame flushed to the file
}

// Write writes p to the file, first making room for it within the
// quota and the free-space margin.
func (s *segment) Write(p []byte) (int, error) {
	if err := s.r.reserve(int64(len(p)) + s.written - s.indexed); err != nil {
		return 0, err
	}
	n, err := s.f.Write(p)
	s.written += int64(n)
	s.r.count(func(st *Stats) { st.FileBytes += uint64(n); st.FileWrites++ })
	return n, err
}

// open starts a segment with keyframe f.
func (r *Recorder) open(f *media.Frame) error {
	now := r.cfg.Clock.Now()
	if r.stoppedNow() {
		if now.Before(r.retryAt) {
			return errWaiting
		}
		if err := r.reopen(); err != nil {
			r.retryAt = now.Add(r.cfg.RetryInterval)
			r.stop(err)
			return errWaiting
		}
	}
	start := now
	if r.anchored {
		if derived := r.anchorWall.Add(f.PTS - r.anchorPTS); r.pinned || now.Sub(derived).Abs() < reanchorAfter {
			start = derived
		}
		r.pinned = false
	}
	if !r.anchored || !start.Equal(r.anchorWall.Add(f.PTS-r.anchorPTS)) {
		r.anchorWall, r.anchorPTS, r.anchored = now, f.PTS, true
	}
	trusted := !start.Before(r.cfg.TrustedAfter)
	if trusted && len(r.unstamped) > 0 {
		// Renaming takes finished segments: the one waiting for its
		// audio is finished first.
		if err := r.finishClosing(); err != nil {
			return err
		}
		r.restamp(now, f.PTS)
	}
	name := Name{Channel: r.cfg.Channel, Start: start.UTC().Truncate(time.Millisecond), Type: r.typ}
	r.mu.Lock()
	for r.idx.find(name) >= 0 {
		name.Start = name.Start.Add(time.Millisecond)
	}
	r.mu.Unlock()
	r.expire(now)
	file, err := os.OpenFile(r.path(name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("start a segment: %w", err)
	}
	s := &segment{r: r, f: file, name: name, firstPTS: f.PTS, lastPTS: f.PTS, flushedPTS: f.PTS}
	s.bw = bufio.NewWriterSize(s, r.cfg.BufferSize)
	s.mux = flv.NewMuxer(s.bw, flv.MuxerConfig{HasVideo: true, HasAudio: true})
	r.cur = s
	if !trusted {
		r.unstamped = append(r.unstamped, unstamped{name: name, firstPTS: f.PTS})
		r.log.Warn("the wall clock is not set yet (before NTP?): this segment is renamed once it is", "clock", now, "file", name)
	}
	r.mu.Lock()
	r.idx.add(Segment{Name: name, End: name.Start, Open: true})
	r.stats.Segments++
	r.mu.Unlock()
	r.log.Debug("segment started", "file", name)
	return nil
}

// flush writes the buffered tags to the file and shows them in the index.
func (r *Recorder) flush(s *segment) error {
	if err := s.bw.Flush(); err != nil {
		return err
	}
	s.flushedPTS = s.lastPTS
	r.mu.Lock()
	defer r.mu.Unlock()
	if i := r.idx.find(s.name); i >= 0 {
		r.idx.update(i, Segment{Name: s.name, Size: s.written, End: s.name.Start.Add(s.lastPTS - s.firstPTS), Open: true})
	}
	s.indexed = s.written
	return nil
}

// finish finishes the current segment.
func (r *Recorder) finish() error {
	s := r.cur
	r.cur = nil
	return r.finishSegment(s)
}

// finishSegment flushes, syncs and closes s and renames it with its
// duration.
func (r *Recorder) finishSegment(s *segment) error {
	err := r.flush(s)
	if serr := s.f.Sync(); err == nil && serr != nil {
		err = serr
	}
	r.count(func(st *Stats) { st.Syncs++ })
	if cerr := s.f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		r.salvage(s.name)
		return err
	}
	done := s.name
	done.Duration = max((s.lastPTS - s.firstPTS).Truncate(time.Millisecond), time.Millisecond)
	if err := r.rename(s.name, done, s.written); err != nil {
		return err
	}
	r.syncDir()
	r.log.Debug("segment finished", "file", done, "bytes", s.written)
	return nil
}

// rename renames a segment's file and its index entry.
func (r *Recorder) rename(from, to Name, size int64) error {
	if err := os.Rename(r.path(from), r.path(to)); err != nil {
		return fmt.Errorf("finish segment: %w", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if i := r.idx.find(from); i >= 0 {
		r.idx.remove(i)
	}
	r.idx.add(Segment{Name: to, Size: size, End: to.End()})
	return nil
}

// salvage finishes a segment whose writing failed: its file is cut to
// its last whole tag and renamed, or removed from the index when the
// storage is gone.
func (r *Recorder) salvage(name Name) {
	seg, err := r.repair(name)
	r.mu.Lock()
	defer r.mu.Unlock()
	if i := r.idx.find(name); i >= 0 {
		r.idx.remove(i)
	}
	if err == nil {
		r.idx.add(seg)
	}
}

// fail handles a storage error: the current segment is salvaged; a full
// disk or quota frees space and records on at the next keyframe, any
// other error stops recording until RetryInterval has passed.
func (r *Recorder) fail(err error) {
	for _, s := range []*segment{r.closing, r.cur} {
		if s != nil {
			s.f.Close()
			r.salvage(s.name)
		}
	}
	r.closing, r.cur = nil, nil
	r.count(func(st *Stats) { st.Failures++ })
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, errNoRoom) {
		r.log.Warn("storage full: deleting the oldest recording and going on at the next keyframe", "err", err)
		r.tell(StorageFull, err)
		r.deleteOldest()
		return
	}
	r.retryAt = r.cfg.Clock.Now().Add(r.cfg.RetryInterval)
	r.stop(err)
}

// stop marks recording stopped with err's reason and logs it once.
func (r *Recorder) stop(err error) {
	r.mu.Lock()
	first := r.stopped == ""
	r.stopped = err.Error()
	if r.retryAt.IsZero() {
		r.retryAt = r.cfg.Clock.Now()
	}
	r.mu.Unlock()
	if first {
		r.log.Error("recording stopped; retrying", "err", err, "every", r.cfg.RetryInterval)
		r.tell(storageState(err), err)
	}
}

func (r *Recorder) stoppedNow() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stopped != ""
}

// reopen checks the storage directory again after a failure and
// reloads the index from it (the card may have been swapped).
func (r *Recorder) reopen() error {
	fi, err := os.Stat(r.cfg.Dir)
	if err != nil {
		return fmt.Errorf("storage directory: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("storage directory %s is not a directory", r.cfg.Dir)
	}
	if r.mount && !isMountPoint(r.cfg.Dir) {
		return fmt.Errorf("storage directory %s: %w (was at start)", r.cfg.Dir, errNotMounted)
	}
	probe := filepath.Join(r.cfg.Dir, ".probe")
	if err := os.WriteFile(probe, nil, 0o644); err != nil {
		return fmt.Errorf("storage directory is not writable: %w", err)
	}
	os.Remove(probe)
	if err := r.load(); err != nil {
		return err
	}
	r.mu.Lock()
	was := r.stopped
	r.stopped = ""
	r.mu.Unlock()
	r.log.Info("recording resumed", "was", was)
	if was != "" {
		r.tell(StorageOK, nil)
	}
	return nil
}

// syncDir makes a rename durable.
func (r *Recorder) syncDir() {
	d, err := os.Open(r.cfg.Dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	d.Close()
	r.count(func(st *Stats) { st.Syncs++ })
}

func (r *Recorder) path(n Name) string { return filepath.Join(r.cfg.Dir, n.String()) }

func (r *Recorder) count(f func(*Stats)) {
	r.mu.Lock()
	f(&r.stats)
	r.mu.Unlock()
}

// Stats returns the recorder's counters.
func (r *Recorder) Stats() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.stats
	st.ActiveBytes = r.idx.bytes
	return st
}

// Status says whether the recorder is writing, and why not.
func (r *Recorder) Status() Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	return Status{Recording: r.stopped == "", Reason: r.stopped, Segments: r.idx.len(), Bytes: r.idx.bytes}
}
