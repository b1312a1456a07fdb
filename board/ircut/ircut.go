// Package ircut switches a camera between day and night from a digital
// light sensor: by day the IR-cut filter sits in front of the sensor for
// true colours; at night it moves aside so that infrared light (from the
// camera's IR LEDs) reaches the sensor.
//
// A digital sensor has no level to put hysteresis on, so the hysteresis is
// in time: the mode changes only after the sensor has said the other thing
// at every poll for a hold time, longer for night to day than for day to
// night, because the IR LEDs of night mode can light the scene (and the
// sensor) up.
package ircut

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/p2pcam/p2pcam/internal/clock"
)

// Sensor is the light sensor's input line: true means dark.
type Sensor interface {
	Get() (bool, error)
}

// Filter is the IR-cut filter's output line: true puts the filter in
// (day), false takes it out (night).
type Filter interface {
	Set(in bool) error
}

// Config configures Run. The zero durations take the defaults.
type Config struct {
	Sensor Sensor // required
	Filter Filter // required
	// Poll is the time between sensor reads. It defaults to 1s.
	Poll time.Duration
	// ToNight is how long it must stay dark before night mode. It
	// defaults to 10s.
	ToNight time.Duration
	// ToDay is how long it must stay light before day mode. It defaults
	// to 30s.
	ToDay time.Duration
	// OnChange, if set, is called with each new mode (night = true),
	// e.g. to switch IR LEDs or a greyscale picture.
	OnChange func(night bool)
	// Clock defaults to the system clock.
	Clock clock.Clock
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

// Run starts in day mode (filter in) and switches modes from the sensor
// until ctx is done. Sensor and filter errors are logged (once per run
// of errors) and leave the mode as it is; a failed switch is retried at
// the next poll.
func Run(ctx context.Context, cfg Config) error {
	if cfg.Sensor == nil || cfg.Filter == nil {
		return errors.New("ircut: Run needs a Sensor and a Filter")
	}
	poll := or(cfg.Poll, time.Second)
	hold := map[bool]time.Duration{true: or(cfg.ToNight, 10*time.Second), false: or(cfg.ToDay, 30*time.Second)}
	clk := clock.Or(cfg.Clock)
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	night := false
	set := func(n bool) bool {
		if err := cfg.Filter.Set(!n); err != nil {
			log.Warn("IR-cut filter", "err", err)
			return false
		}
		return true
	}
	set(false)
	var since time.Time // when the sensor started to disagree with the mode; zero if it agrees
	readErr := false
	for {
		dark, err := cfg.Sensor.Get()
		now := clk.Now()
		switch {
		case err != nil:
			if !readErr {
				log.Warn("light sensor", "err", err)
			}
			readErr, since = true, time.Time{}
		case dark == night:
			readErr, since = false, time.Time{}
		default:
			readErr = false
			if since.IsZero() {
				since = now
			}
			if now.Sub(since) >= hold[dark] && set(dark) {
				night, since = dark, time.Time{}
				log.Info("day/night switch", "night", night)
				if cfg.OnChange != nil {
					cfg.OnChange(night)
				}
			}
		}
		if clock.SleepUntil(ctx, clk, now.Add(poll)) != nil {
			return nil
		}
	}
}

func or(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
