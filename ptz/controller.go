package ptz

import (
	"fmt"
	"sync"
	"time"

	"github.com/p2pcam/p2pcam/internal/clock"
)

// Controller defaults.
const (
	// DefaultHoldTimeout is the safety stop of a press with no release:
	// an app that loses its connection mid-press must not leave the head
	// grinding against its end stop. A press repeated within it keeps the
	// head moving.
	DefaultHoldTimeout = 5 * time.Second
	// DefaultStepDuration is how long ptz_left and friends move.
	DefaultStepDuration = 300 * time.Millisecond
	// MaxHoldTimeout bounds HoldTimeout and StepDuration.
	MaxHoldTimeout = time.Minute
)

// Config configures a Controller. The zero value works.
type Config struct {
	// HoldTimeout stops a pressed move that gets no release. It
	// defaults to DefaultHoldTimeout.
	HoldTimeout time.Duration
	// StepDuration is the length of a step move. It defaults to
	// DefaultStepDuration.
	StepDuration time.Duration
	// PresetsFile keeps the presets across restarts; "" keeps them in
	// memory only.
	PresetsFile string
	// Clock defaults to the system clock.
	Clock clock.Clock
}

// Controller gives a Driver press-and-hold, steps and presets. It is
// safe for concurrent use.
type Controller struct {
	drv Driver
	cfg Config

	mu      sync.Mutex  // guards the fields below
	timer   clock.Timer // stops the current press or step; nil when none
	gen     uint64      // counts moves, so that a stale timer stops nothing
	presets presets
	closed  bool
}

// New returns a Controller of d, with the presets of cfg.PresetsFile.
func New(d Driver, cfg Config) (*Controller, error) {
	if cfg.HoldTimeout == 0 {
		cfg.HoldTimeout = DefaultHoldTimeout
	}
	if cfg.StepDuration == 0 {
		cfg.StepDuration = DefaultStepDuration
	}
	if cfg.HoldTimeout < 0 || cfg.HoldTimeout > MaxHoldTimeout {
		return nil, fmt.Errorf("ptz: hold_timeout = %v: want 0 (the default %v) to %v", cfg.HoldTimeout, DefaultHoldTimeout, MaxHoldTimeout)
	}
	if cfg.StepDuration < 0 || cfg.StepDuration > MaxHoldTimeout {
		return nil, fmt.Errorf("ptz: step_duration = %v: want 0 (the default %v) to %v", cfg.StepDuration, DefaultStepDuration, MaxHoldTimeout)
	}
	cfg.Clock = clock.Or(cfg.Clock)
	p, err := loadPresets(cfg.PresetsFile)
	if err != nil {
		return nil, err
	}
	return &Controller{drv: d, cfg: cfg, presets: p}, nil
}

// Press starts moving in d until Release, or until HoldTimeout passes
// with no new Press.
func (c *Controller) Press(d Direction) error {
	return c.move(d, c.cfg.HoldTimeout)
}

// Step moves in d for StepDuration.
func (c *Controller) Step(d Direction) error {
	return c.move(d, c.cfg.StepDuration)
}

// move starts moving in d and stops after dur unless another move or a
// stop comes first.
func (c *Controller) move(d Direction, dur time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return ErrClosed
	}
	gen := c.next()
	if err := c.drv.Move(d); err != nil {
		return err
	}
	c.timer = c.cfg.Clock.AfterFunc(dur, func() { c.stopIf(gen) })
	return nil
}

// Release stops a press, or any move.
func (c *Controller) Release() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return ErrClosed
	}
	c.next()
	return c.drv.Stop()
}

// stopIf stops the head if move gen is still the current one.
func (c *Controller) stopIf(gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen == gen && !c.closed {
		c.timer = nil
		_ = c.drv.Stop()
	}
}

// next starts a new move: it stops the last one's timer. c.mu is held.
func (c *Controller) next() uint64 {
	if c.timer != nil {
		c.timer.Stop()
		c.timer = nil
	}
	c.gen++
	return c.gen
}

// State returns the head's position and whether it moves.
func (c *Controller) State() (State, error) {
	return c.drv.State()
}

// SavePreset saves the head's position as preset n, 1 to MaxPresets, and
// writes the presets file.
func (c *Controller) SavePreset(n int) error {
	if err := checkPreset(n); err != nil {
		return err
	}
	st, err := c.drv.State()
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return ErrClosed
	}
	next := c.presets.with(n, st.Position)
	if err := next.save(c.cfg.PresetsFile); err != nil {
		return err
	}
	c.presets = next
	return nil
}

// GotoPreset starts moving to preset n.
func (c *Controller) GotoPreset(n int) error {
	if err := checkPreset(n); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return ErrClosed
	}
	p, ok := c.presets[n]
	if !ok {
		return fmt.Errorf("%w: %d", ErrNoPreset, n)
	}
	c.next()
	return c.drv.MoveTo(p)
}

// Presets returns a copy of the saved presets by number.
func (c *Controller) Presets() map[int]Position {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.presets.with(0, Position{})
}

// Close stops the head and closes the driver.
func (c *Controller) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.next()
	c.closed = true
	return c.drv.Close()
}
