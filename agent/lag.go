package agent

import (
	"time"

	"github.com/p2pcam/p2pcam/media"
)

// DefaultMaxLag is how far behind capture a live viewer may fall before
// it skips to the next keyframe.
const DefaultMaxLag = 500 * time.Millisecond

// rateDecay weighs the media rate estimate: each frame keeps this share
// of what came before, so the estimate spans a few seconds of frames.
const rateDecay = 0.97

// lagGuard keeps one live viewer near live. Before each frame goes out it
// tells how far behind capture the viewer would see it: the frame's age
// plus the time the transport needs to send what it still holds, at the
// stream's own rate. Beyond the limit the viewer skips to the next
// keyframe, so a lossy link costs pictures, never delay.
type lagGuard struct {
	max   time.Duration
	epoch time.Time // time zero of frame PTS

	bytes, span float64       // decayed sums of payload bytes and media seconds
	lastPTS     time.Duration // the latest PTS observed
	seen        bool
	joined      time.Duration // media time the viewer joined at
}

// newLagGuard guards a viewer who joins at now. Frames captured before
// that (the cached GOP it starts with) are old by design and never stale.
func newLagGuard(max time.Duration, epoch, now time.Time) *lagGuard {
	return &lagGuard{max: max, epoch: epoch, joined: now.Sub(epoch)}
}

// observe adds f to the media rate estimate.
func (g *lagGuard) observe(f *media.Frame) {
	var dt time.Duration
	if g.seen && f.PTS > g.lastPTS {
		dt = f.PTS - g.lastPTS
	}
	if !g.seen || f.PTS > g.lastPTS {
		g.lastPTS, g.seen = f.PTS, true
	}
	g.bytes = g.bytes*rateDecay + float64(len(f.Payload))
	g.span = g.span*rateDecay + dt.Seconds()
}

// behind returns how late the viewer would get f if it were sent at now,
// with backlog bytes still waiting in the transport.
func (g *lagGuard) behind(now time.Time, f *media.Frame, backlog int) time.Duration {
	late := now.Sub(g.epoch) - f.PTS
	if backlog > 0 && g.bytes > 0 && g.span > 0 {
		rate := g.bytes / g.span // bytes per second of media
		late += time.Duration(float64(backlog) / rate * float64(time.Second))
	}
	return late
}

// stale observes f and reports whether to skip it and what follows up to
// the next keyframe.
func (g *lagGuard) stale(now time.Time, f *media.Frame, backlog int) bool {
	g.observe(f)
	if g.max <= 0 || f.PTS < g.joined {
		return false
	}
	return g.behind(now, f, backlog) > g.max
}
