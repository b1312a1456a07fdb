// Package statusled drives a camera's status LED: on while viewers watch,
// blinking while something is wrong, off otherwise. It takes any Pin
// (a *gpio.Line is one) and a clock, so tests run without hardware or
// sleeps.
package statusled

import (
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/p2pcam/p2pcam/internal/clock"
)

// Pin is the LED's output line.
type Pin interface {
	Set(on bool) error
}

// Config configures an LED.
type Config struct {
	// Pin drives the LED. Required.
	Pin Pin
	// BlinkPeriod is one on-off cycle while blinking. It defaults to 1s.
	BlinkPeriod time.Duration
	// Clock defaults to the system clock.
	Clock clock.Clock
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

// LED is a status LED. Its methods are safe for concurrent use and
// return at once.
type LED struct {
	cfg Config
	log *slog.Logger

	mu      sync.Mutex // guards every field below, and Pin
	viewers int
	failing bool
	lit     bool        // the level last set
	blink   clock.Timer // the next toggle while blinking, else nil
	pinErr  bool        // a Set failure has been logged
	closed  bool
}

// New returns an LED, switched off.
func New(cfg Config) (*LED, error) {
	if cfg.Pin == nil {
		return nil, errors.New("statusled: no Pin")
	}
	if cfg.BlinkPeriod <= 0 {
		cfg.BlinkPeriod = time.Second
	}
	cfg.Clock = clock.Or(cfg.Clock)
	l := &LED{cfg: cfg, log: cfg.Logger}
	if l.log == nil {
		l.log = slog.Default()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.set(false)
	return l, nil
}

// SetViewers tells the LED how many viewers watch.
func (l *LED) SetViewers(n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.viewers = n
	l.update()
}

// SetFailing makes the LED blink while failing is true.
func (l *LED) SetFailing(failing bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failing = failing
	l.update()
}

// Close stops blinking and switches the LED off.
func (l *LED) Close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stopBlink()
	l.set(false)
	l.closed = true
}

// update applies the state. l.mu must be held.
func (l *LED) update() {
	if l.closed {
		return
	}
	if l.failing {
		if l.blink == nil {
			l.set(!l.lit)
			l.blink = l.cfg.Clock.AfterFunc(l.cfg.BlinkPeriod/2, l.toggle)
		}
		return
	}
	l.stopBlink()
	l.set(l.viewers > 0)
}

// toggle is the blink timer's function.
func (l *LED) toggle() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.blink == nil || l.closed {
		return // stopped meanwhile
	}
	l.set(!l.lit)
	l.blink = l.cfg.Clock.AfterFunc(l.cfg.BlinkPeriod/2, l.toggle)
}

func (l *LED) stopBlink() {
	if l.blink != nil {
		l.blink.Stop()
		l.blink = nil
	}
}

// set drives the pin, logging the first failure only. l.mu must be held.
func (l *LED) set(on bool) {
	l.lit = on
	if err := l.cfg.Pin.Set(on); err != nil && !l.pinErr {
		l.pinErr = true
		l.log.Warn("status LED", "err", err)
	}
}
