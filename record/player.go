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

	started time.Time     // clock time of the frame at startAt
	startAt time.Duration // output PTS paced from started

	// Speed: output PTS runs at wall rate, the recording at speed
	// times it: out = outAt + (rec - recAt) / speed.
	speed  float64          // 1 when not set
	recAt  time.Duration    // recording PTS where speed was last set
	outAt  time.Duration    // output PTS there
	recPTS time.Duration    // recording PTS of the last frame returned
	lastBy [2]time.Duration // latest output PTS by kind (video, audio)
	sentBy [2]bool          // whether lastBy holds one
}

// fastSpeed is the lowest speed at which the player sends keyframes
// only: a decoder cannot keep up with every frame, nor a link with the
// bitrate, at twice real time and above.
const fastSpeed = 2

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
	p := &Player{rec: r, clock: r.cfg.Clock, segs: segs, to: to, first: true, origin: segs[0].Start(), speed: 1}
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
		if p.speed >= fastSpeed && !(f.Kind == media.KindVideo && f.Key) {
			continue
		}
		if p.first { // output PTS 0 is this frame
			p.origin, p.base = wall, -f.PTS
		}
		rec := f.PTS + p.base
		f.PTS = p.outAt + time.Duration(float64(rec-p.recAt)/p.speed)
		// A speed change may put an audio frame read late behind one
		// already sent: timestamps of a kind only grow.
		if k := kindIndex(f.Kind); p.sentBy[k] && f.PTS <= p.lastBy[k] {
			f.PTS = p.lastBy[k] + time.Millisecond
		}
		if p.first {
			p.first, p.started, p.startAt = false, p.clock.Now(), f.PTS
		} else if err := clock.SleepUntil(ctx, p.clock, p.started.Add(f.PTS-p.startAt)); err != nil {
			return nil, err
		}
		k := kindIndex(f.Kind)
		p.lastBy[k], p.sentBy[k] = f.PTS, true
		p.last, p.at, p.recPTS = max(p.last, rec), wall, rec
		return f, nil
	}
}

// SetSpeed makes the frames to come play at speed times real time
// (0.5, 1, 2, 4, 8: the caller checks); at 2 and above only video
// keyframes are sent. Output timestamps go on growing at wall rate from
// the last frame returned.
func (p *Player) SetSpeed(speed float64) {
	if speed == p.speed || speed <= 0 {
		return
	}
	out := max(p.lastBy[0], p.lastBy[1])
	if !p.first {
		p.started, p.startAt = p.clock.Now(), out
	}
	p.recAt, p.outAt, p.speed = p.recPTS, out, speed
}

// Speed returns the speed set, 1 by default.
func (p *Player) Speed() float64 { return p.speed }

func kindIndex(k media.Kind) int {
	if k == media.KindVideo {
		return 0
	}
	return 1
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
