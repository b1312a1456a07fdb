package agent

import (
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/p2pcam/p2pcam/capture"
	"github.com/p2pcam/p2pcam/internal/clock"
)

// Congestion control of an encoder whose bit rate can change: each time a
// viewer has to skip frames the rate steps down, at most once per
// rateHold, to no less than rateFloor of what was configured; after
// rateHold without a skip it steps back up. The stream's rate follows its
// weakest viewer: a viewer on a poor link should ask for a lower quality
// (its own encoder stream) so that it does not hold the others back.
const (
	rateDown  = 0.7
	rateUp    = 1.15
	rateFloor = 0.25
	rateHold  = 3 * time.Second
)

// adjustableBitrate is a source whose encoder's bit rate can change while
// it runs (the V4L2 source with an encoder it controls).
type adjustableBitrate interface {
	capture.BitrateSetter
	// Bitrate returns the target it was configured with or last set to;
	// 0 when the encoder chooses.
	Bitrate() int
}

// rateControl adapts one stream's encoder bit rate to its viewers. Safe
// for concurrent use; a nil rateControl does nothing.
type rateControl struct {
	src   adjustableBitrate
	clock clock.Clock
	log   *slog.Logger

	mu       sync.Mutex
	base     int       // the configured rate, the ceiling
	rate     int       // the current target
	lastSkip time.Time // the latest skip
	lastDown time.Time // the latest skip that lowered the rate
	pending  clock.Timer
	gen      int  // the pending timer's; a firing timer of another is stale
	stopped  bool // after stop, nothing is scheduled
}

// newRateControl returns a controller for src, or nil when its bit rate
// cannot be set or is the encoder's own choice.
func newRateControl(src capture.Source, c clock.Clock, log *slog.Logger) *rateControl {
	a, ok := src.(adjustableBitrate)
	if !ok || a.Bitrate() <= 0 {
		return nil
	}
	return &rateControl{src: a, clock: clock.Or(c), log: log, base: a.Bitrate(), rate: a.Bitrate()}
}

// skipped tells the controller a viewer had to skip frames.
func (r *rateControl) skipped() {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.clock.Now()
	r.lastSkip = now
	if !r.lastDown.IsZero() && now.Sub(r.lastDown) < rateHold {
		r.schedule() // recovery waits for a quiet hold
		return
	}
	r.lastDown = now
	r.set(max(scale(r.rate, rateDown), scale(r.base, rateFloor)), "a viewer fell behind")
	r.schedule()
}

// recover steps the rate back up after rateHold without a skip, unless
// the timer of generation gen was replaced or stopped meanwhile. r.mu is
// not held.
func (r *rateControl) recover(gen int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if gen != r.gen || r.stopped {
		return
	}
	r.pending = nil
	if r.rate >= r.base {
		return
	}
	if wait := rateHold - r.clock.Now().Sub(r.lastSkip); wait > 0 {
		r.after(wait)
		return
	}
	r.set(min(scale(r.rate, rateUp), r.base), "viewers keep up")
	r.schedule()
}

// schedule arranges the next recovery step. r.mu must be held.
func (r *rateControl) schedule() {
	if r.pending != nil {
		r.pending.Stop()
		r.pending = nil
	}
	if r.rate < r.base {
		r.after(rateHold)
	}
}

// after starts the one pending recovery timer. r.mu must be held.
func (r *rateControl) after(d time.Duration) {
	if r.stopped {
		return
	}
	r.gen++
	gen := r.gen
	r.pending = r.clock.AfterFunc(d, func() { r.recover(gen) })
}

// set asks the encoder for bps. r.mu must be held.
func (r *rateControl) set(bps int, why string) {
	if bps == r.rate {
		return
	}
	if err := r.src.SetBitrate(bps); err != nil {
		r.log.Warn("cannot change the encoder's bit rate", "bps", bps, "err", err)
		return
	}
	r.log.Info("encoder bit rate", "bps", bps, "was", r.rate, "why", why)
	r.rate = bps
}

// current returns the target bit rate.
func (r *rateControl) current() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.rate
}

// stop cancels a pending recovery step.
func (r *rateControl) stop() {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stopped = true
	if r.pending != nil {
		r.pending.Stop()
		r.pending = nil
	}
}

// scale returns bps times f, rounded.
func scale(bps int, f float64) int { return int(math.Round(float64(bps) * f)) }
