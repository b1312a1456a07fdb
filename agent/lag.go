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
// viewer has not received yet, or of the frame itself, beyond the
// capture pipeline's own latency (an encoder's lookahead, a slow first
// frame), which no viewer can beat and which is no reason to skip: the
// least age of a frame that the viewer's pump was waiting for. Beyond the
// limit the viewer skips to the next keyframe, so a lossy or slow link
// costs pictures, never delay.
type lagGuard struct {
	max     time.Duration
	epoch   time.Time     // time zero of frame PTS
	backlog time.Duration // frames captured up to this are the cached backlog
	// floor is each pipeline's latency (video's encoder is slower than
	// audio's): see observe. Unset, it is 0.
	floor map[media.Kind]time.Duration

	sent []sentFrame // frames not yet received, oldest first
}

// sentFrame is a frame handed to the transport: its kind, capture time
// and the stream offset its last byte ends at.
type sentFrame struct {
	kind media.Kind
	pts  time.Duration
	end  int64
}

// maxTracked bounds the frames a guard remembers; the oldest go first.
const maxTracked = 1024

// newLagGuard guards a viewer who joined with a backlog of frames
// captured up to backlog (the cached GOP, stream.Subscriber.CachedUntil;
// 0 for none): old by design, they never count.
func newLagGuard(max time.Duration, epoch time.Time, backlog time.Duration) *lagGuard {
	return &lagGuard{max: max, epoch: epoch, backlog: backlog, floor: map[media.Kind]time.Duration{}}
}

// inBacklog reports whether f is part of the backlog.
func (g *lagGuard) inBacklog(f *media.Frame) bool { return f.PTS <= g.backlog }

// observe learns from f, a frame the pump had to wait for, so fresh from
// its capture pipeline, how long that pipeline takes.
func (g *lagGuard) observe(now time.Time, f *media.Frame) {
	if g.inBacklog(f) {
		return
	}
	age := now.Sub(g.epoch) - f.PTS
	if floor, ok := g.floor[f.Kind]; !ok || age < floor {
		g.floor[f.Kind] = age
	}
}

// late is how much older than its pipeline's latency a frame of kind
// captured at pts is at now.
func (g *lagGuard) late(now time.Time, kind media.Kind, pts time.Duration) time.Duration {
	return now.Sub(g.epoch) - pts - g.floor[kind]
}

// sentTo records that f went out and ends at stream offset end.
func (g *lagGuard) sentTo(f *media.Frame, end int64) {
	if g.inBacklog(f) {
		return
	}
	if len(g.sent) == maxTracked {
		g.sent = append(g.sent[:0], g.sent[1:]...)
	}
	g.sent = append(g.sent, sentFrame{kind: f.Kind, pts: f.PTS, end: end})
}

// behind returns how late the viewer is at now for frame f, when it has
// received the stream up to offset received.
func (g *lagGuard) behind(now time.Time, f *media.Frame, received int64) time.Duration {
	i := 0
	for i < len(g.sent) && g.sent[i].end <= received {
		i++
	}
	g.sent = append(g.sent[:0], g.sent[i:]...)
	// Frames of a kind go out in capture order: the first waiting of
	// each kind is its oldest.
	behind := g.late(now, f.Kind, f.PTS)
	var seen [media.KindAudio + 1]bool
	for _, s := range g.sent {
		if int(s.kind) < len(seen) && !seen[s.kind] {
			seen[s.kind] = true
			behind = max(behind, g.late(now, s.kind, s.pts))
		}
		if seen[media.KindVideo] && seen[media.KindAudio] {
			break
		}
	}
	return behind
}

// stale reports whether to skip f and what follows up to the next
// keyframe.
func (g *lagGuard) stale(now time.Time, f *media.Frame, received int64) bool {
	if g.max <= 0 || g.inBacklog(f) {
		return false
	}
	return g.behind(now, f, received) > g.max
}
