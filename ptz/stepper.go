package ptz

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/p2pcam/p2pcam/internal/clock"
)

// MaxStepRate bounds a Stepper's half steps a second: a 28BYJ-48 at 5 V
// stalls well below it, and each step is a timer.
const MaxStepRate = 2000

// Pin is an output line driving one coil input of a ULN2003 board; a
// *gpio.Line is one.
type Pin interface {
	Set(active bool) error
}

// Input is an input line, such as an end-stop switch; a *gpio.Line is
// one.
type Input interface {
	Get() (bool, error)
}

// halfSteps is the 28BYJ-48's half-step sequence on IN1..IN4: eight
// states, one or two coils at a time.
var halfSteps = [8][4]bool{
	{true, false, false, false},
	{true, true, false, false},
	{false, true, false, false},
	{false, true, true, false},
	{false, false, true, false},
	{false, false, true, true},
	{false, false, false, true},
	{true, false, false, true},
}

// Axis is one stepper motor of a head: its four coil lines, and an
// optional end-stop switch at its low end (left for pan, down for tilt).
type Axis struct {
	Coils [4]Pin
	// EndStop, when set, is active when the axis is at its low end: a
	// move that reaches it stops there and the step count is corrected
	// to -Max (the head may have been moved by hand while off).
	EndStop Input
	// Max is the soft limit either side of the centre, in half steps.
	Max int
}

// StepperConfig configures a ULN2003 pan-tilt head.
type StepperConfig struct {
	Pan, Tilt Axis
	// StepRate is half steps per second. It defaults to DefaultSimSpeed
	// (500: a 28BYJ-48 at 5 V stalls much above 800).
	StepRate int
	// Clock defaults to the system clock.
	Clock clock.Clock
}

// Stepper drives a pan-tilt head of two 28BYJ-48 stepper motors through
// ULN2003 boards, four GPIO lines each. It counts half steps from the
// centre, where the head must be at start (or at an end stop, which
// corrects the count), and never steps past Max either side. The coils
// are released when the head stops, so that the motors stay cool. It is
// safe for concurrent use.
type Stepper struct {
	cfg  StepperConfig
	tick time.Duration

	mu     sync.Mutex  // guards the fields below
	pos    Position    // counted half steps
	phase  [2]int      // each axis's index in halfSteps
	target Position    // where the head is going
	timer  clock.Timer // the next step; nil when stopped
	gen    uint64      // counts step chains, so that a stale step does nothing
	err    error       // the first line error; the head stops
	closed bool
}

// NewStepper returns a stepper head at the centre, its coils released.
func NewStepper(cfg StepperConfig) (*Stepper, error) {
	if cfg.StepRate == 0 {
		cfg.StepRate = DefaultSimSpeed
	}
	if cfg.StepRate < 0 || cfg.StepRate > MaxStepRate {
		return nil, fmt.Errorf("ptz: stepper: step rate %d: want 1 to %d half steps a second", cfg.StepRate, MaxStepRate)
	}
	for name, ax := range map[string]Axis{"pan": cfg.Pan, "tilt": cfg.Tilt} {
		for i, c := range ax.Coils {
			if c == nil {
				return nil, fmt.Errorf("ptz: stepper: %s coil IN%d has no line", name, i+1)
			}
		}
		if ax.Max <= 0 {
			return nil, fmt.Errorf("ptz: stepper: %s limit %d: must be positive", name, ax.Max)
		}
	}
	cfg.Clock = clock.Or(cfg.Clock)
	s := &Stepper{cfg: cfg, tick: time.Second / time.Duration(cfg.StepRate)}
	if err := s.release(); err != nil {
		return nil, err
	}
	return s, nil
}

// Move starts moving in d until Stop or a limit.
func (s *Stepper) Move(d Direction) error {
	dp, dt := d.axis()
	if dp == 0 && dt == 0 {
		return fmt.Errorf("%w: %v", ErrBadDirection, d)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	target := s.pos
	target.Pan += dp * 2 * s.cfg.Pan.Max // past the limit: clamped there
	target.Tilt += dt * 2 * s.cfg.Tilt.Max
	return s.start(target)
}

// MoveTo starts moving to p, clamped to the limits.
func (s *Stepper) MoveTo(p Position) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.start(p)
}

// Stop stops after the current step and releases the coils.
func (s *Stepper) Stop() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.target = s.pos
	return s.halt()
}

// State returns the counted position; the error is the line error that
// stopped the head, if any.
func (s *Stepper) State() (State, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return State{Position: s.pos, Moving: s.timer != nil}, s.err
}

// Close stops the head and releases the coils.
func (s *Stepper) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.target = s.pos
	err := s.halt()
	s.closed = true
	return err
}

// start sets a new target and steps towards it. s.mu is held.
func (s *Stepper) start(target Position) error {
	switch {
	case s.closed:
		return ErrClosed
	case s.err != nil:
		return fmt.Errorf("ptz: stepper stopped after an error: %w", s.err)
	}
	s.target = Position{Pan: clamp(target.Pan, s.cfg.Pan.Max), Tilt: clamp(target.Tilt, s.cfg.Tilt.Max)}
	if s.timer == nil && s.target != s.pos {
		s.gen++
		s.schedule()
	}
	return nil
}

// schedule sets the next step of the current chain. s.mu is held.
func (s *Stepper) schedule() {
	gen := s.gen
	s.timer = s.cfg.Clock.AfterFunc(s.tick, func() { s.step(gen) })
}

// step makes one half step on each axis that has not arrived, and
// schedules the next.
func (s *Stepper) step(gen uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.timer == nil || gen != s.gen { // stopped meanwhile
		return
	}
	s.timer = nil
	err := errors.Join(
		s.stepAxis(0, &s.pos.Pan, &s.target.Pan, s.cfg.Pan),
		s.stepAxis(1, &s.pos.Tilt, &s.target.Tilt, s.cfg.Tilt),
	)
	if err != nil {
		s.err = err
		s.target = s.pos
		_ = s.release()
		return
	}
	if s.pos == s.target {
		_ = s.release()
		return
	}
	s.schedule()
}

// stepAxis makes one half step of axis i towards target. An end stop
// that is active on the way down ends the move and resets the count.
// s.mu is held.
func (s *Stepper) stepAxis(i int, pos, target *int, ax Axis) error {
	if *pos == *target {
		return nil
	}
	dir := 1
	if *target < *pos {
		dir = -1
		if ax.EndStop != nil {
			hit, err := ax.EndStop.Get()
			if err != nil {
				return err
			}
			if hit {
				*pos, *target = -ax.Max, -ax.Max
				return nil
			}
		}
	}
	s.phase[i] = (s.phase[i] + dir + len(halfSteps)) % len(halfSteps)
	if err := energize(ax.Coils, halfSteps[s.phase[i]]); err != nil {
		return err
	}
	*pos += dir
	return nil
}

// halt cancels the next step and releases the coils. s.mu is held.
func (s *Stepper) halt() error {
	if s.timer != nil {
		s.timer.Stop()
		s.timer = nil
	}
	s.gen++
	return s.release()
}

// release turns every coil off. s.mu is held, or s is new.
func (s *Stepper) release() error {
	var off [4]bool
	return errors.Join(energize(s.cfg.Pan.Coils, off), energize(s.cfg.Tilt.Coils, off))
}

func energize(coils [4]Pin, on [4]bool) error {
	for i, c := range coils {
		if err := c.Set(on[i]); err != nil {
			return fmt.Errorf("ptz: stepper coil IN%d: %w", i+1, err)
		}
	}
	return nil
}
