package v4l2cam

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/p2pcam/p2pcam/capture"
	"github.com/p2pcam/p2pcam/codec/h264"
	"github.com/p2pcam/p2pcam/media"
)

// maxTimestampSkew is how far a buffer timestamp may be from now, on
// the monotonic clock, and still be believed as the capture time.
// Beyond it (a driver with another clock, a fake) the timestamps only
// space the frames, anchored at an arrival time; an anchor that drifts
// this far from the arrival times is set again.
const maxTimestampSkew = time.Second

// ptsMapper maps V4L2 buffer timestamps (CLOCK_MONOTONIC) onto the
// shared media time base, keeping PTS strictly increasing across the
// device's runs. One goroutine uses it at a time.
type ptsMapper struct {
	env  capture.Env
	mono func() time.Duration // CLOCK_MONOTONIC now
	last time.Duration        // the last PTS given, -1 before the first

	anchored bool
	offset   time.Duration // fallback mapping: PTS = timestamp + offset
}

func newPTSMapper(env capture.Env, mono func() time.Duration) *ptsMapper {
	return &ptsMapper{env: env, mono: mono, last: -1}
}

// reset forgets the fallback anchor: a reopened device may restart its
// timestamps.
func (m *ptsMapper) reset() { m.anchored = false }

// pts returns the PTS of a frame whose buffer timestamp is ts, and how
// long ago it was captured; ok is false when ts is not monotonic-clock
// time. The frame is stamped with its capture time: now on the media time
// base, less its age on the monotonic clock. The age may be slightly
// negative: some drivers (vivid) stamp frames with the nominal end of
// their frame period.
func (m *ptsMapper) pts(ts time.Duration, monotonic bool) (pts, age time.Duration, ok bool) {
	now := m.env.PTS(m.env.Clock.Now())
	if monotonic {
		if a := m.mono() - ts; a > -maxTimestampSkew && a < maxTimestampSkew {
			age, pts, ok = a, now-a, true
		}
	}
	if !ok {
		if d := ts + m.offset - now; !m.anchored || d > maxTimestampSkew || d < -maxTimestampSkew {
			m.offset, m.anchored = now-ts, true
		}
		pts = ts + m.offset
	}
	if pts <= m.last {
		pts = m.last + time.Millisecond
	}
	m.last = pts
	return pts, age, ok
}

// bufTiming is what is known of when a picture was taken and handled.
type bufTiming struct {
	ts        time.Duration // the buffer's timestamp
	monotonic bool          // ts is CLOCK_MONOTONIC time
	dequeued  time.Time     // when the camera's buffer was dequeued; zero: unknown
	encode    time.Duration // how long encoding took; 0: the camera encoded
}

// captureStats accumulates what the "capture stats" log line reports.
// The camera goroutine counts drops while the encoder's counts frames, so
// a mutex guards it.
type captureStats struct {
	mu sync.Mutex // guards c
	c  statCounts
}

// statCounts are the counts of one stats interval.
type statCounts struct {
	since          time.Time
	frames, keys   int
	drops, skipped int
	bytes          int64
	ageN, encN     int
	ageSum, ageMax time.Duration
	encSum, encMax time.Duration
	deqN           int
	deqSum, deqMax time.Duration
}

func (s *captureStats) drop(n int) {
	s.mu.Lock()
	s.c.drops += n
	s.mu.Unlock()
}

func (s *captureStats) skip(n int) {
	s.mu.Lock()
	s.c.skipped += n
	s.mu.Unlock()
}

// frame counts an emitted frame: its capture age (when known), encode
// time and time since its camera buffer was dequeued (when positive).
func (s *captureStats) frame(size int, key bool, age time.Duration, known bool, enc, deq time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &s.c
	c.frames++
	if key {
		c.keys++
	}
	c.bytes += int64(size)
	if known {
		c.ageN++
		c.ageSum += age
		c.ageMax = max(c.ageMax, age)
	}
	if deq > 0 {
		c.deqN++
		c.deqSum += deq
		c.deqMax = max(c.deqMax, deq)
	}
	if enc > 0 {
		c.encN++
		c.encSum += enc
		c.encMax = max(c.encMax, enc)
	}
}

// logIfDue logs and resets the counts once every has passed since the
// last time; every 0 turns it off.
func (s *captureStats) logIfDue(log *slog.Logger, now time.Time, every time.Duration) {
	if every <= 0 {
		return
	}
	s.mu.Lock()
	if s.c.since.IsZero() {
		s.c.since = now
	}
	d := now.Sub(s.c.since)
	if d < every {
		s.mu.Unlock()
		return
	}
	c := s.c
	s.c = statCounts{since: now}
	s.mu.Unlock()
	avg := func(sum time.Duration, n int) time.Duration {
		if n == 0 {
			return 0
		}
		return (sum / time.Duration(n)).Round(10 * time.Microsecond)
	}
	secs := d.Seconds()
	log.Info("capture stats",
		"frames", c.frames, "fps", round2(float64(c.frames)/secs), "keyframes", c.keys,
		"kbps", int64(float64(c.bytes)*8/secs/1000), "dropped", c.drops, "skipped", c.skipped,
		"avg_capture_to_emit", avg(c.ageSum, c.ageN), "max_capture_to_emit", c.ageMax.Round(10*time.Microsecond),
		"avg_dequeue_to_emit", avg(c.deqSum, c.deqN), "max_dequeue_to_emit", c.deqMax.Round(10*time.Microsecond),
		"avg_encode", avg(c.encSum, c.encN), "max_encode", c.encMax.Round(10*time.Microsecond))
}

func round2(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }

// h264Sink turns buffers of H.264 (each an access unit, or parameter
// sets alone) into stamped frames. One goroutine uses it at a time.
type h264Sink struct {
	fr    capture.Framer
	pm    *ptsMapper
	emit  func(*media.Frame)
	stats *captureStats
	log   *slog.Logger
	now   func() time.Time // the environment's clock, for the stats interval
	every time.Duration    // the stats interval; 0: off
	debug bool             // log every frame at debug level

	frames int // frames emitted
}

func newH264Sink(env capture.Env, log *slog.Logger, pm *ptsMapper, stats *captureStats, every time.Duration, emit func(*media.Frame)) *h264Sink {
	return &h264Sink{
		pm: pm, emit: emit, stats: stats, log: log, now: env.Clock.Now, every: every,
		debug: log.Enabled(context.Background(), slog.LevelDebug),
	}
}

// write frames one buffer. data may alias device memory that is reused
// once write returns: nothing is kept that points into it.
func (k *h264Sink) write(data []byte, bt bufTiming) {
	nalus, err := h264.SplitAnnexB(data)
	if err != nil || len(nalus) == 0 {
		k.stats.drop(1)
		k.log.Debug("dropping a buffer without H.264 start codes", "bytes", len(data))
		return
	}
	vcl := false
	for _, n := range nalus {
		vcl = vcl || h264.IsVCL(h264.TypeOf(n))
	}
	if !vcl {
		// Parameter sets (or SEI) alone: encoders send the stream header
		// in a buffer of its own. They join the next picture; copy them
		// out of the buffer, which the driver gets back.
		nalus, _ = h264.SplitAnnexB(bytes.Clone(data))
		for _, n := range nalus {
			k.push(n, bt)
		}
		return
	}
	for _, n := range nalus {
		k.push(n, bt)
	}
	// The buffer held a whole picture: frame it now rather than when the
	// next one starts.
	skipped := k.fr.Skipped
	f, err := k.fr.Flush()
	k.out(f, err, skipped, bt)
}

func (k *h264Sink) push(n []byte, bt bufTiming) {
	skipped := k.fr.Skipped
	f, err := k.fr.Push(n)
	k.out(f, err, skipped, bt)
}

// out stamps and emits a framed access unit.
func (k *h264Sink) out(f *media.Frame, err error, skippedBefore int, bt bufTiming) {
	if n := k.fr.Skipped - skippedBefore; n > 0 {
		k.stats.skip(n)
	}
	if err != nil {
		k.log.Warn("skipping access unit", "err", err)
		return
	}
	if f == nil {
		return
	}
	var age time.Duration
	var known bool
	f.PTS, age, known = k.pm.pts(bt.ts, bt.monotonic)
	k.emit(f)
	k.frames++
	var deq time.Duration
	if !bt.dequeued.IsZero() {
		deq = time.Since(bt.dequeued)
	}
	k.stats.frame(len(f.Payload), f.Key, age, known, bt.encode, deq)
	if k.debug {
		// capture_to_emit: from the buffer timestamp, when it is
		// monotonic-clock time; dequeue_to_emit: from when the camera
		// handed the buffer over.
		if known {
			k.log.Debug("frame", "pts", f.PTS, "key", f.Key, "bytes", len(f.Payload),
				"capture_to_emit", age, "dequeue_to_emit", deq, "encode", bt.encode)
		} else {
			k.log.Debug("frame", "pts", f.PTS, "key", f.Key, "bytes", len(f.Payload),
				"dequeue_to_emit", deq, "encode", bt.encode)
		}
	}
	k.stats.logIfDue(k.log, k.now(), k.every)
}
