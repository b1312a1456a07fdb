package watchdog

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/p2pcam/p2pcam/internal/clock"
)

// Keeper is what Run feeds: a *Device, or a fake.
type Keeper interface {
	// Keepalive restarts the countdown.
	Keepalive() error
	// Close disarms the watchdog (the magic close).
	Close() error
}

// Config configures Run.
type Config struct {
	// Device is the watchdog to feed. Required.
	Device Keeper
	// Interval is the time between health checks and keepalives: a
	// third of the watchdog's timeout, so that one late check does not
	// reboot the board. Required.
	Interval time.Duration
	// Timeout is the watchdog's timeout, for the log. Optional.
	Timeout time.Duration
	// Healthy reports whether the camera works. Nil counts as healthy.
	// It must return within a fraction of Interval.
	Healthy func() bool
	// Clock defaults to the system clock.
	Clock clock.Clock
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

// Run feeds cfg.Device now and every cfg.Interval while cfg.Healthy
// passes, until ctx is done; then, if a last check passes too (a clean
// shutdown), it disarms the device (Device.Close) and returns nil. When a
// check fails, Run logs an error and stops feeding for good, so that the
// board reboots, and returns ErrUnhealthy once ctx is done, leaving the
// device armed.
func Run(ctx context.Context, cfg Config) error {
	if cfg.Device == nil || cfg.Interval <= 0 {
		return fmt.Errorf("watchdog: Run needs a Device and a positive Interval")
	}
	clk := clock.Or(cfg.Clock)
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	feed := func() {
		if err := cfg.Device.Keepalive(); err != nil {
			log.Warn("watchdog keepalive failed", "err", err)
		}
	}
	feed()
	healthy := true
	for clock.SleepUntil(ctx, clk, clk.Now().Add(cfg.Interval)) == nil {
		if !healthy {
			continue // wait for the reboot, or for ctx
		}
		if cfg.Healthy == nil || cfg.Healthy() {
			feed()
			continue
		}
		healthy = false
		log.Error("HEALTH CHECK FAILED: no longer feeding the hardware watchdog; the board reboots",
			"within", cfg.Timeout)
	}
	if healthy && cfg.Healthy != nil && !cfg.Healthy() {
		healthy = false // the camera stopped because it failed
	}
	if !healthy {
		log.Warn("stopping with the watchdog left armed: the board reboots")
		return ErrUnhealthy
	}
	if err := cfg.Device.Close(); err != nil {
		log.Error("watchdog not disarmed", "err", err)
		return err
	}
	log.Info("watchdog disarmed")
	return nil
}
