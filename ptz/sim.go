package ptz

import (
	"fmt"
	"sync"
	"time"

	"github.com/p2pcam/p2pcam/internal/clock"
)

// Defaults of the simulated head: a 28BYJ-48 stepper head, 4096 half
// steps a turn, driven at about 500 steps a second.
const (
	DefaultSimSpeed   = 500  // steps per second
	DefaultSimPanMax  = 2048 // half a turn either way
	DefaultSimTiltMax = 512  // 45 degrees either way
)

// SimConfig configures a simulated head. The zero value works.
type SimConfig struct {
	// Speed in steps per second. It defaults to DefaultSimSpeed.
	Speed int
	// PanMax and TiltMax are the limits either side of the centre. They
	// default to DefaultSimPanMax and DefaultSimTiltMax.
	PanMax, TiltMax int
	// Clock defaults to the system clock.
	Clock clock.Clock
}

// Sim is a simulated pan-tilt head for the sim board: its position moves
// with the clock at Speed, stops at its limits, and counts every move.
// It is safe for concurrent use.
type Sim struct {
	cfg SimConfig

	mu     sync.Mutex // guards the fields below
	from   Position   // where the current move started
	start  time.Time  // when it started
	target Position   // where it stops, clamped to the limits
	moving bool
	closed bool
}

// NewSim returns a simulated head at the centre.
func NewSim(cfg SimConfig) (*Sim, error) {
	if cfg.Speed == 0 {
		cfg.Speed = DefaultSimSpeed
	}
	if cfg.PanMax == 0 {
		cfg.PanMax = DefaultSimPanMax
	}
	if cfg.TiltMax == 0 {
		cfg.TiltMax = DefaultSimTiltMax
	}
	if cfg.Speed < 0 || cfg.PanMax < 0 || cfg.TiltMax < 0 {
		return nil, fmt.Errorf("ptz: sim head: speed %d, limits %d/%d: must be positive", cfg.Speed, cfg.PanMax, cfg.TiltMax)
	}
	cfg.Clock = clock.Or(cfg.Clock)
	return &Sim{cfg: cfg}, nil
}

// Move starts moving in d until Stop or a limit.
func (s *Sim) Move(d Direction) error {
	dp, dt := d.axis()
	if dp == 0 && dt == 0 {
		return fmt.Errorf("%w: %v", ErrBadDirection, d)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	now := s.cfg.Clock.Now()
	pos := s.at(now)
	target := pos
	target.Pan += dp * s.cfg.PanMax * 2 // past the limit: clamp stops it there
	target.Tilt += dt * s.cfg.TiltMax * 2
	s.begin(now, pos, target)
	return nil
}

// MoveTo starts moving to p, clamped to the limits; both axes move at
// once, each at Speed.
func (s *Sim) MoveTo(p Position) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	now := s.cfg.Clock.Now()
	s.begin(now, s.at(now), p)
	return nil
}

// Stop stops where the head is now.
func (s *Sim) Stop() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Clock.Now()
	pos := s.at(now)
	s.begin(now, pos, pos)
	return nil
}

// State returns the position now.
func (s *Sim) State() (State, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pos := s.at(s.cfg.Clock.Now())
	return State{Position: pos, Moving: s.moving && pos != s.target}, nil
}

// Close stops the head; moves fail after it.
func (s *Sim) Close() error {
	_ = s.Stop()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}

// begin starts a move from pos at now to target. s.mu is held.
func (s *Sim) begin(now time.Time, pos, target Position) {
	target.Pan = clamp(target.Pan, s.cfg.PanMax)
	target.Tilt = clamp(target.Tilt, s.cfg.TiltMax)
	s.from, s.start, s.target, s.moving = pos, now, target, pos != target
}

// at returns the position at t. s.mu is held.
func (s *Sim) at(t time.Time) Position {
	if !s.moving {
		return s.from
	}
	steps := int(t.Sub(s.start).Seconds() * float64(s.cfg.Speed))
	return Position{
		Pan:  toward(s.from.Pan, s.target.Pan, steps),
		Tilt: toward(s.from.Tilt, s.target.Tilt, steps),
	}
}

// toward moves from a towards b by at most n.
func toward(a, b, n int) int {
	switch {
	case b > a:
		return min(a+n, b)
	case b < a:
		return max(a-n, b)
	}
	return a
}

func clamp(v, limit int) int { return max(-limit, min(v, limit)) }
