package agent

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/p2pcam/p2pcam/internal/clock"
	"github.com/p2pcam/p2pcam/media"
)

// trialPoll is how often CheckTrial looks at the broker and the health.
const trialPoll = 250 * time.Millisecond

// CheckTrial runs the health checks a release on trial must pass before
// it is confirmed (docs/ota.md): every configured stream makes a video
// frame (each is started as if a viewer came, then left to stop), the
// device is registered on the broker when P2P is on (so its device info
// has carried the trial before the confirmation follows), and Healthy
// passes, which is what the hardware watchdog is fed on. It returns nil once all pass, or, when
// ctx ends first, an error naming the check that did not pass. Call it
// while Run runs.
func (a *Agent) CheckTrial(ctx context.Context) error {
	for _, q := range a.qualities {
		if err := a.firstVideo(ctx, q); err != nil {
			return fmt.Errorf("stream %s made no video frame: %w", q, err)
		}
	}
	clk := clock.Or(a.cfg.Clock)
	for {
		why := ""
		if a.cfg.P2P.Enabled() && !a.registered() {
			b := a.broker.Snapshot()
			why = "not registered on the broker " + a.cfg.P2P.Broker
			if !b.Connected {
				why = "not connected to the broker " + a.cfg.P2P.Broker
			}
			if b.LastError != "" {
				why += ": " + b.LastError
			}
		} else if !a.Healthy() {
			why = "the health check (which feeds the watchdog) fails"
		}
		if why == "" {
			return nil
		}
		if err := clock.SleepUntil(ctx, clk, clk.Now().Add(trialPoll)); err != nil {
			return fmt.Errorf("%s: %w", why, err)
		}
	}
}

// registered reports whether P2P mode is registered on its broker.
func (a *Agent) registered() bool {
	srv := a.p2pSessions.Load()
	return srv != nil && srv.Registered()
}

// firstVideo subscribes to stream q until a video frame comes.
func (a *Agent) firstVideo(ctx context.Context, q media.Quality) error {
	sub, err := a.hubs[q].Subscribe()
	if err != nil {
		return err
	}
	defer sub.Close()
	for {
		f, err := sub.Next(ctx)
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
				if cerr := a.sourceReady(q); cerr != nil {
					return fmt.Errorf("%w (%v)", err, cerr)
				}
			}
			return err
		}
		if f.Kind == media.KindVideo {
			return nil
		}
	}
}

// TrialTimeout is how long a release on trial has to pass CheckTrial:
// the config's slots.trial_timeout, defaulted.
func (a *Agent) TrialTimeout() time.Duration { return a.cfg.Slots.TrialTimeout }
