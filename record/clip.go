package record

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/p2pcam/p2pcam/internal/clock"
	"github.com/p2pcam/p2pcam/media"
)

// Bounds and defaults of ClipConfig.
const (
	DefaultPreRoll  = 5 * time.Second
	DefaultPostRoll = 5 * time.Second
	MaxPreRoll      = 30 * time.Second
	MaxPostRoll     = 5 * time.Minute
	// DefaultPreRollFrames bounds the pre-roll buffer whatever the
	// stream: 30 s at 25 fps with its audio is about 1700 frames.
	DefaultPreRollFrames = 4096
)

// ClipConfig configures a Clipper. Its zero value works.
type ClipConfig struct {
	// PreRoll is how much of the stream before an event a clip holds:
	// it starts at the keyframe at or before the event minus PreRoll.
	// It defaults to 5s; 0 to 30s (negative means 0).
	PreRoll time.Duration
	// PostRoll is how long a clip goes on after its events end (a
	// motion's end, an input's release, a one-shot event). It
	// defaults to 5s; 1ms to 5m.
	PostRoll time.Duration
	// PreRollFrames bounds the frames the pre-roll buffer holds. It
	// defaults to DefaultPreRollFrames.
	PreRollFrames int
}

func (c ClipConfig) withDefaults() (ClipConfig, error) {
	switch {
	case c.PreRoll == 0:
		c.PreRoll = DefaultPreRoll
	case c.PreRoll < 0:
		c.PreRoll = 0
	}
	if c.PostRoll == 0 {
		c.PostRoll = DefaultPostRoll
	}
	if c.PreRollFrames == 0 {
		c.PreRollFrames = DefaultPreRollFrames
	}
	if c.PreRoll > MaxPreRoll || c.PostRoll < 0 || c.PostRoll > MaxPostRoll || c.PreRollFrames < 0 {
		return c, fmt.Errorf("record: clip pre-roll %v (at most %v), post-roll %v (at most %v), pre-roll frames %d",
			c.PreRoll, MaxPreRoll, c.PostRoll, MaxPostRoll, c.PreRollFrames)
	}
	return c, nil
}

// Clipper records event clips: it keeps the last PreRoll of a stream in
// memory (frame pointers the hub already made, from a keyframe on) and,
// while an event holds it open or within PostRoll of the last one,
// writes them and the frames that follow to its Recorder, one clip of
// the type of the event that started it. Events that overlap or come
// within PostRoll of each other make one clip. Write is called from one
// goroutine (Run's); Hold, Release and Pulse from any.
type Clipper struct {
	rec *Recorder
	cfg ClipConfig
	clk clock.Clock

	mu    sync.Mutex     // guards holds, until, typ and clips
	holds map[string]int // the events holding a clip open (an input pressed, motion going on), by key: their type
	until time.Time      // the clip goes on at least until then
	typ   int            // the type of the clip being recorded, or of the event that asked for the next
	since time.Time      // when the event that asked for the next clip happened
	clips uint64         // clips started

	// Owned by the goroutine that calls Write.
	ring      []*media.Frame // the pre-roll: from the keyframe at or before the newest frame minus PreRoll
	ringBytes int            // payload bytes in ring
	newest    time.Duration  // the latest PTS seen (audio comes late: not the last frame's)
	recording bool
}

// ClipStats says what a Clipper did and holds.
type ClipStats struct {
	Clips         uint64 // clips started
	PreRollFrames int    // frames in the pre-roll buffer
	PreRollBytes  int    // their payload bytes (shared with the stream hub)
}

// NewClipper returns a Clipper that records clips with rec: a Recorder
// of its own directory (its Quota is the clips' share), not the one of
// continuous recording, whose segments clips overlap in time.
func NewClipper(rec *Recorder, cfg ClipConfig) (*Clipper, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Clipper{rec: rec, cfg: cfg, clk: rec.cfg.Clock, holds: map[string]int{}}, nil
}

// Recorder returns the recorder of the clips, for queries.
func (c *Clipper) Recorder() *Recorder { return c.rec }

// Hold starts or extends a clip of type typ (1 to MaxType) that goes on
// until Release(key): an input pressed, motion seen. at is when the
// event happened: the pre-roll is counted from it.
func (c *Clipper) Hold(key string, typ int, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.holds[key] = typ
	c.ask(typ, at)
}

// ask makes typ and at the next clip's, unless an event asked first;
// c.mu is held.
func (c *Clipper) ask(typ int, at time.Time) {
	if c.typ == 0 {
		c.typ, c.since = typ, at
	}
}

// Release ends what Hold(key) started: the clip goes on for PostRoll
// more, unless other events hold it. An unknown key does nothing.
func (c *Clipper) Release(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.holds[key]; !ok {
		return
	}
	delete(c.holds, key)
	c.extend(c.clk.Now().Add(c.cfg.PostRoll))
}

// Pulse starts or extends a clip of type typ for a one-shot event (a
// command) that happened at at: it goes on until PostRoll from then.
func (c *Clipper) Pulse(typ int, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ask(typ, at)
	c.extend(at.Add(c.cfg.PostRoll))
}

// extend makes the clip last at least until t; c.mu is held.
func (c *Clipper) extend(t time.Time) {
	if t.After(c.until) {
		c.until = t
	}
}

// wanted reports whether a clip is due now, its type, and when the
// event that asked for it happened.
func (c *Clipper) wanted() (bool, int, time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.holds) > 0 || c.clk.Now().Before(c.until) {
		return true, c.typ, c.since
	}
	c.typ = 0
	return false, 0, time.Time{}
}

// Write buffers f for the pre-roll and records it while a clip is due.
// A clip due while none is recorded starts with the pre-roll. Storage
// errors are the Recorder's: logged, and retried by it.
func (c *Clipper) Write(f *media.Frame) {
	c.buffer(f)
	want, typ, since := c.wanted()
	switch {
	case want && !c.recording:
		c.startClip(typ, since, f)
	case want:
		_ = c.rec.Write(f)
	case c.recording:
		c.recording = false
		_ = c.rec.endRun()
	}
}

// startClip records the pre-roll buffer (which ends with f) from the
// keyframe at or before since minus PreRoll as the start of a clip of
// type typ.
func (c *Clipper) startClip(typ int, since time.Time, f *media.Frame) {
	c.recording = true
	c.mu.Lock()
	c.clips++
	c.mu.Unlock()
	r := c.rec
	r.endRun()
	r.typ = max(typ, 1)
	// The clip's start comes from the frames' times: the newest is now.
	now := c.clk.Now()
	r.anchorWall, r.anchorPTS, r.anchored, r.pinned = now, c.newest, true, true
	cut := c.newest - now.Sub(since) - c.cfg.PreRoll
	from := 0
	for i, b := range c.ring {
		if b.PTS > cut {
			break
		}
		if b.Kind == media.KindVideo && b.Key {
			from = i
		}
	}
	for _, b := range c.ring[from:] {
		_ = r.Write(b)
	}
}

// buffer appends f to the pre-roll and drops what is older than it
// needs: everything before the keyframe at or before the newest frame
// minus PreRoll,
// and the oldest GOPs beyond PreRollFrames.
func (c *Clipper) buffer(f *media.Frame) {
	c.ring = append(c.ring, f)
	c.ringBytes += len(f.Payload)
	c.newest = max(c.newest, f.PTS)
	for {
		j := c.nextKey()
		if j < 0 || (c.ring[j].PTS > c.newest-c.cfg.PreRoll && len(c.ring) <= c.cfg.PreRollFrames) {
			break
		}
		c.drop(j)
	}
	if len(c.ring) > c.cfg.PreRollFrames { // no keyframe to cut at
		c.drop(len(c.ring))
	}
}

// nextKey returns the position of the first video keyframe after the
// start of the ring, or -1. A ring that does not start with one (the
// stream's first frames) gives its first keyframe.
func (c *Clipper) nextKey() int {
	for i, f := range c.ring {
		if i > 0 && f.Kind == media.KindVideo && f.Key {
			return i
		}
	}
	return -1
}

// drop removes the first n frames of the ring.
func (c *Clipper) drop(n int) {
	for _, f := range c.ring[:n] {
		c.ringBytes -= len(f.Payload)
	}
	k := copy(c.ring, c.ring[n:])
	clear(c.ring[k:])
	c.ring = c.ring[:k]
}

// Stats returns what the clipper did and holds. Only the goroutine that
// calls Write may ask for the pre-roll figures; others get Clips.
func (c *Clipper) Stats() ClipStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return ClipStats{Clips: c.clips}
}

// preRollStats returns the pre-roll buffer's size; from Write's goroutine.
func (c *Clipper) preRollStats() (frames, bytes int) { return len(c.ring), c.ringBytes }

// Run records clips of src until ctx is done, then finishes the clip
// being written. When the source fails it subscribes again after the
// Recorder's RetryInterval. It returns an error only when src cannot be
// subscribed.
func (c *Clipper) Run(ctx context.Context, src Source) error {
	defer c.Close()
	return c.rec.follow(ctx, src, "clipped", c.Write, func() { c.Close() })
}

// Close finishes the clip being written and empties the pre-roll.
func (c *Clipper) Close() error {
	c.recording = false
	c.drop(len(c.ring))
	return c.rec.endRun()
}
