package agent

import (
	"errors"
	"fmt"

	"github.com/p2pcam/p2pcam/board/gpio"
	"github.com/p2pcam/p2pcam/ptz"
)

// GPIOLine is one requested GPIO line: a *gpio.Line, or a fake.
type GPIOLine interface {
	Set(active bool) error
	Get() (bool, error)
	Close() error
}

// ptzConsumer is how the head's lines show up in gpioinfo.
const ptzConsumer = "p2pcamd-ptz"

// openGPIO is Config.OpenLine's default: the running kernel's lines.
func openGPIO(chip string, offset int, output, activeLow bool, consumer string) (GPIOLine, error) {
	l, err := gpio.OpenLine(chip, offset, output, activeLow, consumer)
	if err != nil {
		return nil, err // not a nil *gpio.Line in a non-nil GPIOLine
	}
	return l, nil
}

// stepperHead is a ptz.Stepper that owns its lines: Close releases them.
type stepperHead struct {
	*ptz.Stepper
	lines []GPIOLine
}

func (h *stepperHead) Close() error {
	err := h.Stepper.Close()
	for _, l := range h.lines {
		err = errors.Join(err, l.Close())
	}
	return err
}

// newStepperHead opens the uln2003 driver's lines and returns its head.
func newStepperHead(cfg Config) (ptz.Driver, error) {
	open := cfg.OpenLine
	if open == nil {
		open = openGPIO
	}
	pc := cfg.PTZ
	h := &stepperHead{}
	fail := func(err error) (ptz.Driver, error) {
		for _, l := range h.lines {
			_ = l.Close()
		}
		return nil, fmt.Errorf("agent: ptz uln2003: %w", err)
	}
	coils := func(offsets []int) (c [4]ptz.Pin, err error) {
		for i, off := range offsets {
			l, err := open(pc.GPIOChip, off, true, false, ptzConsumer)
			if err != nil {
				return c, err
			}
			h.lines = append(h.lines, l)
			c[i] = l
		}
		return c, nil
	}
	endStop := func(axis string) (ptz.Input, error) {
		off, ok := pc.EndStops[axis]
		if !ok {
			return nil, nil
		}
		l, err := open(pc.GPIOChip, off, false, true, ptzConsumer)
		if err != nil {
			return nil, err
		}
		h.lines = append(h.lines, l)
		return l, nil
	}
	sc := ptz.StepperConfig{StepRate: pc.StepRate, Clock: cfg.Clock}
	sc.Pan.Max, sc.Tilt.Max = pc.PanSteps, pc.TiltSteps
	var err error
	if sc.Pan.Coils, err = coils(pc.PanCoils); err != nil {
		return fail(err)
	}
	if sc.Tilt.Coils, err = coils(pc.TiltCoils); err != nil {
		return fail(err)
	}
	if sc.Pan.EndStop, err = endStop("pan"); err != nil {
		return fail(err)
	}
	if sc.Tilt.EndStop, err = endStop("tilt"); err != nil {
		return fail(err)
	}
	if h.Stepper, err = ptz.NewStepper(sc); err != nil {
		return fail(err)
	}
	return h, nil
}
