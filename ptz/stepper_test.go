//go:build linux

package ptz

import (
	"errors"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/board/gpio"
	"github.com/p2pcam/p2pcam/board/gpio/gpiotest"
	"github.com/p2pcam/p2pcam/internal/clock"
)

// stepperRig is a stepper head on a fake GPIO chip: pan coils on lines
// 0-3, tilt coils on 4-7, the pan end stop on 8.
type stepperRig struct {
	chip  *gpiotest.Chip
	clk   *clock.Fake
	lines []*gpio.Line
	head  *Stepper
	ctl   *Controller
}

const rigMax = 100 // half steps either side

func newStepperRig(t *testing.T) *stepperRig {
	t.Helper()
	r := &stepperRig{chip: &gpiotest.Chip{Label: "fake", Lines: 16}, clk: clock.NewFake(time.Unix(0, 0))}
	k := gpiotest.NewKernel(r.chip)
	for i := range 9 {
		l, err := gpio.OpenLineWith(k, "gpiochip0", i, i < 8, false, "ptz")
		if err != nil {
			t.Fatal(err)
		}
		r.lines = append(r.lines, l)
		t.Cleanup(func() { _ = l.Close() })
	}
	coils := func(first int) (c [4]Pin) {
		for i := range c {
			c[i] = r.lines[first+i]
		}
		return c
	}
	var err error
	r.head, err = NewStepper(StepperConfig{
		Pan:   Axis{Coils: coils(0), EndStop: r.lines[8], Max: rigMax},
		Tilt:  Axis{Coils: coils(4), Max: rigMax},
		Clock: r.clk,
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.ctl, err = New(r.head, Config{Clock: r.clk}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.ctl.Close() })
	return r
}

// coils returns the levels the chip's lines first..first+3 drive.
func (r *stepperRig) coils(first int) [4]bool {
	var c [4]bool
	for i := range c {
		c[i] = r.chip.Level(first + i)
	}
	return c
}

func (r *stepperRig) state(t *testing.T) State {
	t.Helper()
	st, err := r.ctl.State()
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// Each 2 ms (500 half steps a second) the coils take the next state of
// the half-step sequence, forwards or backwards; stopped, they are off.
func TestStepperSequence(t *testing.T) {
	r := newStepperRig(t)
	if err := r.ctl.Press(Right); err != nil {
		t.Fatal(err)
	}
	for n := 1; n <= 10; n++ {
		r.clk.Advance(2 * time.Millisecond)
		if got, want := r.coils(0), halfSteps[n%8]; got != want {
			t.Fatalf("pan coils after %d steps right: %v, want %v", n, got, want)
		}
		if got := r.coils(4); got != [4]bool{} {
			t.Fatalf("tilt coils on while only pan moves: %v", got)
		}
	}
	if err := r.ctl.Press(Down); err != nil {
		t.Fatal(err)
	}
	r.clk.Advance(2 * time.Millisecond)
	if got, want := r.coils(4), halfSteps[7]; got != want {
		t.Fatalf("tilt coils after 1 step down: %v, want %v", got, want)
	}
	if err := r.ctl.Release(); err != nil {
		t.Fatal(err)
	}
	if st := r.state(t); st != (State{Position: Position{Pan: 10, Tilt: -1}}) {
		t.Errorf("after release: %+v", st)
	}
	if r.coils(0) != [4]bool{} || r.coils(4) != [4]bool{} {
		t.Errorf("coils on after release: %v %v", r.coils(0), r.coils(4))
	}
}

var stepperMoves = []struct {
	name    string
	act     func(r *stepperRig) error
	advance time.Duration
	want    State
}{
	{"press stops at the soft limit", func(r *stepperRig) error { return r.ctl.Press(Up) }, time.Second, State{Position: Position{Tilt: rigMax}}},
	{"a step", func(r *stepperRig) error { return r.ctl.Step(Right) }, time.Second, State{Position: Position{Pan: rigMax}}},
	{"moving", func(r *stepperRig) error { return r.ctl.Press(Left) }, 50 * time.Millisecond, State{Position: Position{Pan: -25}, Moving: true}},
	{"end stop corrects the count", func(r *stepperRig) error {
		r.chip.Drive(8, true) // the head was turned to its left end by hand
		return r.ctl.Press(Left)
	}, 50 * time.Millisecond, State{Position: Position{Pan: -rigMax}}},
	{"end stop does not stop a move away from it", func(r *stepperRig) error {
		r.chip.Drive(8, true)
		return r.ctl.Press(Right)
	}, 20 * time.Millisecond, State{Position: Position{Pan: 10}, Moving: true}},
}

func TestStepperMoves(t *testing.T) {
	for _, tt := range stepperMoves {
		t.Run(tt.name, func(t *testing.T) {
			r := newStepperRig(t)
			if err := tt.act(r); err != nil {
				t.Fatal(err)
			}
			r.clk.Advance(tt.advance)
			if st := r.state(t); st != tt.want {
				t.Errorf("after %v: %+v, want %+v", tt.advance, st, tt.want)
			}
			if !tt.want.Moving && (r.coils(0) != [4]bool{} || r.coils(4) != [4]bool{}) {
				t.Errorf("coils on while stopped: %v %v", r.coils(0), r.coils(4))
			}
		})
	}
}

// Presets and the safety stop work on the stepper as on the sim head.
func TestStepperPresetsAndSafetyStop(t *testing.T) {
	r := newStepperRig(t)
	_ = r.ctl.Press(Right)
	r.clk.Advance(60 * time.Millisecond)
	_ = r.ctl.Release()
	if err := r.ctl.SavePreset(1); err != nil {
		t.Fatal(err)
	}
	_ = r.ctl.Press(Left) // no release: the 5 s safety stop, after the limit
	r.clk.Advance(10 * time.Second)
	if st := r.state(t); st.Moving || st.Pan != -rigMax {
		t.Fatalf("after a press with no release: %+v", st)
	}
	if err := r.ctl.GotoPreset(1); err != nil {
		t.Fatal(err)
	}
	r.clk.Advance(time.Second)
	if st := r.state(t); st != (State{Position: Position{Pan: 30}}) {
		t.Fatalf("after goto 1: %+v", st)
	}
}

// A line that fails stops the head and says why.
func TestStepperLineError(t *testing.T) {
	r := newStepperRig(t)
	_ = r.lines[2].Close()
	if err := r.ctl.Press(Right); err != nil {
		t.Fatal(err)
	}
	r.clk.Advance(10 * time.Millisecond)
	if _, err := r.head.State(); !errors.Is(err, gpio.ErrClosed) {
		t.Fatalf("State after a coil line failed: %v, want gpio.ErrClosed", err)
	}
	if err := r.head.Move(Right); err == nil {
		t.Fatal("Move after a line error = nil")
	}
}

func TestNewStepperErrors(t *testing.T) {
	var p [4]Pin
	if _, err := NewStepper(StepperConfig{Pan: Axis{Coils: p, Max: 1}, Tilt: Axis{Coils: p, Max: 1}}); err == nil {
		t.Error("NewStepper without coil lines = nil error")
	}
}
