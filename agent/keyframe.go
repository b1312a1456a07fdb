package agent

import (
	"log/slog"
	"sync"
	"time"

	"github.com/p2pcam/p2pcam/capture"
	"github.com/p2pcam/p2pcam/internal/clock"
)

// keyframeInterval is the least time between two keyframes asked of one
// encoder: an IDR costs every viewer of the stream several frames' worth
// of bits, so a viewer who keeps losing frames must not flood the rest.
const keyframeInterval = 2 * time.Second

// encoderControl reacts to one stream's viewers falling behind: it asks
// the encoder for a keyframe and lowers its bit rate, where the source
// allows either. A nil encoderControl does nothing.
type encoderControl struct {
	keys *keyframeAsker
	rate *rateControl
}

func newEncoderControl(src capture.Source, c clock.Clock, log *slog.Logger) *encoderControl {
	return &encoderControl{keys: newKeyframeAsker(src, c), rate: newRateControl(src, c, log)}
}

// viewerSkipped tells the encoder a viewer skipped frames.
func (e *encoderControl) viewerSkipped() {
	if e == nil {
		return
	}
	e.keys.ask()
	e.rate.skipped()
}

// target returns the encoder's bit rate target, or 0 where the camera
// does not set it.
func (e *encoderControl) target() int {
	if e == nil || e.rate == nil {
		return 0
	}
	return e.rate.current()
}

// stop ends pending work.
func (e *encoderControl) stop() {
	if e != nil {
		e.rate.stop()
	}
}

// keyframeAsker asks a source's encoder for a keyframe when a viewer
// skipped frames, so that it sees a picture again at once rather than at
// the next scheduled keyframe. Safe for concurrent use; a nil asker (a
// source that cannot be asked) does nothing.
type keyframeAsker struct {
	src   capture.KeyframeForcer
	clock clock.Clock

	mu   sync.Mutex
	last time.Time // when the latest request went out
}

// newKeyframeAsker returns an asker for src, or nil when src has no
// encoder to ask.
func newKeyframeAsker(src capture.Source, c clock.Clock) *keyframeAsker {
	f, ok := src.(capture.KeyframeForcer)
	if !ok {
		return nil
	}
	return &keyframeAsker{src: f, clock: clock.Or(c)}
}

// ask requests a keyframe unless one was requested within
// keyframeInterval. It reports whether it asked.
func (k *keyframeAsker) ask() bool {
	if k == nil {
		return false
	}
	k.mu.Lock()
	now := k.clock.Now()
	if !k.last.IsZero() && now.Sub(k.last) < keyframeInterval {
		k.mu.Unlock()
		return false
	}
	k.last = now
	k.mu.Unlock()
	// A source that is not running, or whose encoder cannot be asked,
	// starts its next run with a keyframe anyway.
	return k.src.ForceKeyframe() == nil
}
