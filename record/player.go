package record

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/p2pcam/p2pcam/internal/clock"
	"github.com/p2pcam/p2pcam/media"
)

// maxGap is the longest pause between recordings that playback keeps:
// a longer one (recording was off) is skipped.
const maxGap = time.Second

// gapStep is the time playback puts between two recordings it joins.
const gapStep = 40 * time.Millisecond

// Player plays recordings from a time to a time in real time, starting
// at the keyframe at or before the start. Frame PTS starts at 0 at the
// first frame and runs on through every segment, gaps skipped. It is not
// safe for concurrent use.
type Player struct {
	rec   *Recorder
	clock clock.Clock
	segs  []Segment
	to    time.Time

	i      int // segment being read: segs[i]
	file   *os.File
	rd     *Reader
	base   time.Duration // output PTS of the segment's start
	origin time.Time     // wall time of output PTS 0
	last   time.Duration // latest output PTS so far
	at     time.Time     // wall time of the last frame
	first  bool          // no frame returned yet

	started time.Time     // clock time of the first frame
	startAt time.Duration // its output PTS
}

// Play returns a player of the recordings between from and to (both
// wall-clock times), or an error wrapping ErrNotFound when there are
// none. It plays what the index holds when it is called.
func (r *Recorder) Play(from, to time.Time) (*Player, error) {
	if to.Before(from) {
		return nil, fmt.Errorf("%w: end %v before start %v", ErrNotFound, to, from)
	}
	segs := r.Query(from, to)
	if len(segs) == 0 {
		return nil, fmt.Errorf("%w between %v and %v", ErrNotFound, from.UTC(), to.UTC())
	}
	p := &Player{rec: r, clock: r.cfg.Clock, segs: segs, to: to, first: true, origin: segs[0].Start()}
	if err := p.openSegment(from.Sub(segs[0].Start())); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

// openSegment opens segs[i] from offset into it.
func (p *Player) openSegment(offset time.Duration) error {
	seg := p.segs[p.i]
	if seg.Open {
		// It may have grown, or been finished and renamed, since Play.
		for _, s := range p.rec.Query(seg.Start(), seg.Start()) {
			if s.Start().Equal(seg.Start()) {
				seg = s
			}
		}
	}
	f, _, err := p.rec.Open(seg.File())
	if err != nil {
		return err
	}
	rd, err := NewReader(f, seg.Size, offset)
	if err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", seg.File(), err)
	}
	p.file, p.rd = f, rd
	p.base = seg.Start().Sub(p.origin)
	if !p.first {
		if p.base > p.last+maxGap {
			p.origin = p.origin.Add(p.base - p.last - gapStep)
			p.base = p.last + gapStep
		}
	}
	return nil
}

// Next returns the next frame when it is due (real time from the first
// frame), or io.EOF after the last one up to the end time.
func (p *Player) Next(ctx context.Context) (*media.Frame, error) {
	for {
		if p.rd == nil {
			return nil, io.EOF
		}
		f, err := p.rd.Next()
		if err == io.EOF {
			p.closeSegment()
			if p.i++; p.i >= len(p.segs) {
				return nil, io.EOF
			}
			if err := p.openSegment(0); err != nil {
				return nil, err
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		wall := p.segs[p.i].Start().Add(f.PTS)
		if wall.After(p.to) {
			p.closeSegment()
			return nil, io.EOF
		}
		if p.first { // output PTS 0 is this frame
			p.origin, p.base = wall, -f.PTS
		}
		f.PTS += p.base
		if p.first {
			p.first, p.started, p.startAt = false, p.clock.Now(), f.PTS
		} else if err := clock.SleepUntil(ctx, p.clock, p.started.Add(f.PTS-p.startAt)); err != nil {
			return nil, err
		}
		p.last, p.at = max(p.last, f.PTS), wall
		return f, nil
	}
}

// Delay holds the frames still to come back by d: a paused playback
// calls it with the time it was paused, so that it goes on in real time
// rather than catching up.
func (p *Player) Delay(d time.Duration) { p.started = p.started.Add(d) }

// Position returns the wall-clock time of the last frame returned.
func (p *Player) Position() time.Time { return p.at }

func (p *Player) closeSegment() {
	if p.file != nil {
		p.file.Close()
	}
	p.file, p.rd = nil, nil
}

// Close releases the player's file.
func (p *Player) Close() { p.closeSegment() }
