package ptz

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/p2pcam/p2pcam/internal/clock"
)

// DefaultPelcoDSpeed is a move's speed byte: middling, as most
// keyboards send.
const DefaultPelcoDSpeed = 0x20

// PelcoDConfig configures a Pelco-D head. Port is required; the rest's
// zero value works.
type PelcoDConfig struct {
	// Port is the serial port (RS-485 adapter) the head listens on.
	Port io.WriteCloser
	// Address is the head's address, 1 to 255 (its DIP switches). It
	// defaults to 1.
	Address int
	// Speed is the pan and tilt speed byte of moves, 1 to
	// MaxPelcoDSpeed. It defaults to DefaultPelcoDSpeed.
	Speed int
	// Rate, PanMax and TiltMax model the head for its position, which
	// Pelco-D does not report: Rate is the units a second the head
	// moves at Speed, PanMax and TiltMax the limits either side of where
	// it was at start. They default as SimConfig's.
	Rate, PanMax, TiltMax int
	// Clock defaults to the system clock.
	Clock clock.Clock
}

// PelcoD drives a Pelco-D head over a serial port. Pelco-D heads report
// nothing back, so PelcoD estimates the position from the time each
// axis has moved (a Sim runs beside the head), stops the head itself at
// the soft limits, and moves to a position (a preset) by moving each
// axis for the time its distance takes. It is safe for concurrent use.
type PelcoD struct {
	cfg PelcoDConfig
	est *Sim // where the head is estimated to be

	mu     sync.Mutex // guards the fields below and writes to Port
	last   PelcoDFrame
	sent   bool        // last was sent
	timer  clock.Timer // the next axis to arrive; nil when none
	gen    uint64
	closed bool
}

// NewPelcoD returns a driver of the head at cfg.Address on cfg.Port.
// It sends a stop first, so a head left moving stops.
func NewPelcoD(cfg PelcoDConfig) (*PelcoD, error) {
	if cfg.Port == nil {
		return nil, fmt.Errorf("ptz: pelco-d: no serial port")
	}
	if cfg.Address == 0 {
		cfg.Address = 1
	}
	if cfg.Speed == 0 {
		cfg.Speed = DefaultPelcoDSpeed
	}
	if cfg.Address < 1 || cfg.Address > 255 {
		return nil, fmt.Errorf("ptz: pelco-d: address %d: want 1 to 255", cfg.Address)
	}
	if cfg.Speed < 1 || cfg.Speed > MaxPelcoDSpeed {
		return nil, fmt.Errorf("ptz: pelco-d: speed %d: want 1 to %d", cfg.Speed, MaxPelcoDSpeed)
	}
	cfg.Clock = clock.Or(cfg.Clock)
	est, err := NewSim(SimConfig{Speed: cfg.Rate, PanMax: cfg.PanMax, TiltMax: cfg.TiltMax, Clock: cfg.Clock})
	if err != nil {
		return nil, fmt.Errorf("ptz: pelco-d: %w", err)
	}
	p := &PelcoD{cfg: cfg, est: est}
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.send(pelcoDMove(byte(cfg.Address), 0, 0, 0, 0), true); err != nil {
		return nil, err
	}
	return p, nil
}

// Move starts moving in d until Stop or a soft limit.
func (p *PelcoD) Move(d Direction) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return ErrClosed
	}
	if err := p.est.Move(d); err != nil {
		return err
	}
	return p.steer(p.gen + 1)
}

// MoveTo starts moving to pos, clamped to the soft limits.
func (p *PelcoD) MoveTo(pos Position) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return ErrClosed
	}
	if err := p.est.MoveTo(pos); err != nil {
		return err
	}
	return p.steer(p.gen + 1)
}

// Stop stops the head.
func (p *PelcoD) Stop() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stop()
}

// stop stops the head; p.mu is held.
func (p *PelcoD) stop() error {
	p.cancelTimer()
	p.gen++
	_ = p.est.Stop()
	return p.send(pelcoDMove(byte(p.cfg.Address), 0, 0, 0, 0), true)
}

// State returns the estimated position.
func (p *PelcoD) State() (State, error) { return p.est.State() }

// Close stops the head and closes the port.
func (p *PelcoD) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	err := p.stop()
	p.closed = true
	_ = p.est.Close()
	if cerr := p.cfg.Port.Close(); err == nil {
		err = cerr
	}
	return err
}

// steer sends the message that moves each axis towards the estimate's
// target (stop when both are there), and sets a timer for when the
// next axis arrives. gen numbers this plan. p.mu is held.
func (p *PelcoD) steer(gen uint64) error {
	p.cancelTimer()
	p.gen = gen
	p.est.mu.Lock()
	now := p.cfg.Clock.Now()
	pos, target := p.est.at(now), p.est.target
	p.est.mu.Unlock()
	pan, tilt := sign(target.Pan-pos.Pan), sign(target.Tilt-pos.Tilt)
	speed := byte(p.cfg.Speed)
	if err := p.send(pelcoDMove(byte(p.cfg.Address), pan, tilt, speed, speed), false); err != nil {
		return err
	}
	if pan == 0 && tilt == 0 {
		return nil
	}
	next := 0
	for _, d := range []int{abs(target.Pan - pos.Pan), abs(target.Tilt - pos.Tilt)} {
		if d > 0 && (next == 0 || d < next) {
			next = d
		}
	}
	// Until the estimate has moved next units, rounded up, plus a
	// millisecond so that the estimate is there when the timer fires.
	rate := max(p.est.cfg.Speed, 1)
	wait := time.Duration((int64(next)*int64(time.Second)+int64(rate)-1)/int64(rate)) + time.Millisecond
	p.timer = p.cfg.Clock.AfterFunc(wait, func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.gen == gen && !p.closed {
			_ = p.steer(gen)
		}
	})
	return nil
}

// send writes f to the port unless it was the last message sent (a
// repeat changes nothing on the head) or always is set. p.mu is held.
func (p *PelcoD) send(f PelcoDFrame, always bool) error {
	if p.sent && f == p.last && !always {
		return nil
	}
	b := f.Marshal()
	if _, err := p.cfg.Port.Write(b[:]); err != nil {
		p.sent = false
		return fmt.Errorf("ptz: pelco-d: write: %w", err)
	}
	p.last, p.sent = f, true
	return nil
}

func (p *PelcoD) cancelTimer() {
	if p.timer != nil {
		p.timer.Stop()
		p.timer = nil
	}
}

func sign(v int) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

func abs(v int) int { return max(v, -v) }
