// Package periph starts the peripherals that a board profile names and
// the configuration turns on: the status LED, the IR-cut filter with its
// light sensor, and the hardware watchdog. It is the board half of
// p2pcamd's composition root; the agent only reports viewers and health.
package periph

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/p2pcam/p2pcam/board"
	"github.com/p2pcam/p2pcam/board/gpio"
	"github.com/p2pcam/p2pcam/board/ircut"
	"github.com/p2pcam/p2pcam/board/statusled"
	"github.com/p2pcam/p2pcam/board/watchdog"
	"github.com/p2pcam/p2pcam/internal/clock"
)

// consumer is how the lines show up in gpioinfo.
const consumer = "p2pcamd"

// Line is a GPIO line: a *gpio.Line, or a fake.
type Line interface {
	Set(active bool) error
	Get() (bool, error)
	Close() error
}

// Watchdog is a hardware watchdog: a *watchdog.Device, or a fake.
type Watchdog interface {
	SetTimeout(t time.Duration) (time.Duration, error)
	Keepalive() error
	Close() error
}

// Config says what to start.
type Config struct {
	// Profile names the lines and the watchdog device.
	Profile board.Profile
	// StatusLED, IRCut and Watchdog turn the peripherals on (agent's
	// [hardware] section); each also needs the profile to name it.
	StatusLED, IRCut, Watchdog bool
	// Healthy is the agent's health check: the watchdog is fed while it
	// passes, and the LED blinks while it fails. Nil counts as healthy.
	Healthy func() bool
	// WatchdogTimeout is asked of the watchdog; the driver may clamp it.
	// It defaults to 15s (the most the Raspberry Pi's allows).
	WatchdogTimeout time.Duration
	// HealthPoll is how often the LED learns the health. It defaults to
	// 5s.
	HealthPoll time.Duration
	// OpenLine defaults to gpio.OpenLine.
	OpenLine func(chip string, offset int, output, activeLow bool, consumer string) (Line, error)
	// OpenWatchdog defaults to watchdog.Open.
	OpenWatchdog func(path string) (Watchdog, error)
	// Clock defaults to the system clock.
	Clock clock.Clock
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

// Periph is the running peripherals.
type Periph struct {
	led  *statusled.LED // nil without a status LED
	done sync.WaitGroup
}

// Start opens and starts what cfg turns on, until ctx is done. A
// peripheral that fails to open is logged and left out: the camera runs
// without it. Wait for the clean-up (the watchdog disarmed, the LED off,
// the lines released) with Wait.
func Start(ctx context.Context, cfg Config) *Periph {
	cfg = withDefaults(cfg)
	log := cfg.Logger.With("board", cfg.Profile.Name)
	p := &Periph{}
	prof := cfg.Profile
	var led Line
	if cfg.StatusLED {
		led = openLine(cfg, log, "status LED", prof.StatusLED, true)
	}
	if led != nil {
		l, _ := statusled.New(statusled.Config{Pin: led, Clock: cfg.Clock, Logger: log})
		p.led = l
		p.run(func() {
			for clock.SleepUntil(ctx, cfg.Clock, cfg.Clock.Now().Add(cfg.HealthPoll)) == nil {
				l.SetFailing(cfg.Healthy != nil && !cfg.Healthy())
			}
			l.Close()
			led.Close()
		})
	}
	if cfg.IRCut {
		filter := openLine(cfg, log, "IR-cut filter", prof.IRCut, true)
		sensor := openLine(cfg, log, "light sensor", prof.LightSensor, false)
		if filter != nil && sensor != nil {
			p.run(func() {
				_ = ircut.Run(ctx, ircut.Config{Sensor: sensor, Filter: filter, Clock: cfg.Clock, Logger: log})
				filter.Close()
				sensor.Close()
			})
		} else {
			closeAll(filter, sensor)
		}
	}
	if cfg.Watchdog {
		startWatchdog(ctx, cfg, log, p)
	}
	return p
}

func startWatchdog(ctx context.Context, cfg Config, log *slog.Logger, p *Periph) {
	path := cfg.Profile.Watchdog
	if path == "" {
		log.Warn("hardware.watchdog is on, but the board has no watchdog")
		return
	}
	wd, err := cfg.OpenWatchdog(path)
	if err != nil {
		log.Error("no hardware watchdog", "err", err)
		return
	}
	timeout, err := wd.SetTimeout(cfg.WatchdogTimeout)
	if err != nil {
		// Keep the driver's timeout; feed often enough for the
		// shortest there is.
		log.Warn("watchdog timeout not set", "err", err)
		timeout = 3 * time.Second
	}
	interval := timeout / 3
	log.Info("hardware watchdog armed", "device", path, "timeout", timeout, "feed_every", interval)
	p.run(func() {
		err := watchdog.Run(ctx, watchdog.Config{Device: wd, Interval: interval, Timeout: timeout,
			Healthy: cfg.Healthy, Clock: cfg.Clock, Logger: log})
		if errors.Is(err, watchdog.ErrUnhealthy) {
			log.Error("exiting with the hardware watchdog armed: the board reboots", "within", timeout)
		}
	})
}

// SetViewers tells the status LED how many viewers watch. It is safe on a
// nil Periph and without an LED.
func (p *Periph) SetViewers(n int) {
	if p != nil && p.led != nil {
		p.led.SetViewers(n)
	}
}

// Wait waits until everything Start started has cleaned up after ctx.
func (p *Periph) Wait() { p.done.Wait() }

func (p *Periph) run(f func()) {
	p.done.Add(1)
	go func() {
		defer p.done.Done()
		f()
	}()
}

// openLine opens a profile line, or logs why not and returns nil.
func openLine(cfg Config, log *slog.Logger, what string, g board.GPIO, output bool) Line {
	if !g.Present() {
		log.Warn("peripheral turned on, but the board has none", "what", what)
		return nil
	}
	l, err := cfg.OpenLine(g.Chip, g.Line, output, g.ActiveLow, consumer)
	if err != nil {
		log.Error("peripheral not available", "what", what, "err", err)
		return nil
	}
	log.Info("peripheral on GPIO", "what", what, "chip", g.Chip, "line", g.Line, "active_low", g.ActiveLow)
	return l
}

func closeAll(lines ...Line) {
	for _, l := range lines {
		if l != nil {
			l.Close()
		}
	}
}

func withDefaults(cfg Config) Config {
	if cfg.WatchdogTimeout <= 0 {
		cfg.WatchdogTimeout = 15 * time.Second
	}
	if cfg.HealthPoll <= 0 {
		cfg.HealthPoll = 5 * time.Second
	}
	if cfg.OpenLine == nil {
		cfg.OpenLine = func(chip string, offset int, output, activeLow bool, consumer string) (Line, error) {
			l, err := gpio.OpenLine(chip, offset, output, activeLow, consumer)
			if err != nil {
				return nil, err
			}
			return l, nil
		}
	}
	if cfg.OpenWatchdog == nil {
		cfg.OpenWatchdog = func(path string) (Watchdog, error) {
			d, err := watchdog.Open(path)
			if err != nil {
				return nil, err
			}
			return d, nil
		}
	}
	cfg.Clock = clock.Or(cfg.Clock)
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return cfg
}
