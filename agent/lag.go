package agent

import (
	"time"

	"github.com/p2pcam/p2pcam/media"
)

// DefaultMaxLag is how far behind live a viewer may fall before it skips
// to the next keyframe.
const DefaultMaxLag = 500 * time.Millisecond

// lagGuard keeps one live viewer near live. It remembers where in the
// byte stream each frame it let through ends, and learns from the
// transport how far the viewer has received; before the next frame goes
// out it tells how late the viewer is: the age of the oldest frame the
// viewer has not received yet, or of the frame itself, beyond the least
// age a frame has had on reaching the guard. That least age is the
// capture pipeline's own latency (an encoder's lookahead, a slow first
// frame), which no viewer can beat and which is no reason to skip. Beyond
// the limit the viewer skips to the next keyframe, so a lossy or slow
// link costs pictures, never delay.
type lagGuard struct {
	max    time.Duration
	epoch  time.Time     // time zero of frame PTS
	joined time.Duration // media time the viewer joined at
	floor  time.Duration // the least age of a frame on reaching the guard
	seen   bool          // floor is set

	sent []sentFrame // frames not yet received, oldest first
}

// sentFrame is a frame handed to the transport: its capture time and the
// stream offset its last byte ends at.
type sentFrame struct {
	pts time.Duration
	end int64
}

// maxTracked bounds the frames a guard remembers; the oldest go first.
const maxTracked = 1024

// newLagGuard guards a viewer who joins at now. Frames captured before
// that (the cached GOP it starts with) are old by design and never count.
func newLagGuard(max time.Duration, epoch, now time.Time) *lagGuard {
	return &lagGuard{max: max, epoch: epoch, joined: now.Sub(epoch)}
}

// sentTo records that f went out and ends at stream offset end.
func (g *lagGuard) sentTo(f *media.Frame, end int64) {
	if f.PTS < g.joined {
		return
	}
	if len(g.sent) == maxTracked {
		g.sent = append(g.sent[:0], g.sent[1:]...)
	}
	g.sent = append(g.sent, sentFrame{pts: f.PTS, end: end})
}

// behind returns how late the viewer is at now for frame f, when it has
// received the stream up to offset received.
func (g *lagGuard) behind(now time.Time, f *media.Frame, received int64) time.Duration {
	i := 0
	for i < len(g.sent) && g.sent[i].end <= received {
		i++
	}
	g.sent = append(g.sent[:0], g.sent[i:]...)
	age := now.Sub(g.epoch) - f.PTS
	if !g.seen || age < g.floor {
		g.floor, g.seen = age, true
	}
	oldest := f.PTS
	if len(g.sent) > 0 {
		oldest = min(oldest, g.sent[0].pts)
	}
	return now.Sub(g.epoch) - oldest - g.floor
}

// stale reports whether to skip f and what follows up to the next
// keyframe.
func (g *lagGuard) stale(now time.Time, f *media.Frame, received int64) bool {
	if g.max <= 0 || f.PTS < g.joined {
		return false
	}
	return g.behind(now, f, received) > g.max
}
