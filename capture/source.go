package capture

import (
	"context"
	"log/slog"
	"time"

	"github.com/p2pcam/p2pcam/internal/clock"
	"github.com/p2pcam/p2pcam/media"
)

// Source produces frames.
type Source interface {
	// Run captures until ctx is done, passing each frame to emit in
	// order. emit must return quickly and must not keep Run waiting.
	// Run returns nil when ctx ended it, or an error saying why capture
	// cannot go on after the source's own retries.
	Run(ctx context.Context, emit func(*media.Frame)) error
}

// Checker is a Source that can tell, without running, whether it could
// produce now: its file is there, its command is found, its device
// exists. The agent checks at start (and warns) and before it answers a
// viewer, so that a missing camera is an error status, not an answer
// with no video.
type Checker interface {
	Check() error
}

// Env is what every source shares with the rest of the agent.
type Env struct {
	// Clock defaults to the system clock.
	Clock clock.Clock
	// Epoch is time zero of the shared media time base: a frame's PTS is
	// its capture time minus Epoch, for audio and video alike. It
	// defaults to the first time a source reads the clock.
	Epoch time.Time
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

// WithDefaults returns e with its zero fields set to their defaults.
// Sources call it when they start.
func (e Env) WithDefaults() Env {
	e.Clock = clock.Or(e.Clock)
	if e.Epoch.IsZero() {
		e.Epoch = e.Clock.Now()
	}
	if e.Logger == nil {
		e.Logger = slog.Default()
	}
	return e
}

// PTS returns the media time of t on the shared time base.
func (e Env) PTS(t time.Time) time.Duration { return t.Sub(e.Epoch) }
