package agent

import (
	"context"
	"fmt"
	"time"

	"github.com/p2pcam/p2pcam/board/gpio"
	"github.com/p2pcam/p2pcam/event"
)

// DefaultDebounce is a GPIO input's debounce: longer than a push
// button's bounce (a few ms), shorter than a press.
const DefaultDebounce = 20 * time.Millisecond

// inputConsumer is how the inputs' lines show up in gpioinfo.
const inputConsumer = "p2pcamd-event"

// InputConfig is one GPIO input whose changes are events
// ([[events.inputs]]).
type InputConfig struct {
	// Name names the input in its events, e.g. "doorbell" or "pir".
	Name string `toml:"name"`
	// Chip is the GPIO chip: a path, "gpiochipN" or a label. It
	// defaults to the PTZ's gpio_chip, or "gpiochip0".
	Chip string `toml:"chip"`
	// Line is the line's offset on the chip.
	Line int `toml:"line"`
	// ActiveLow says the input is active at the low level: a button
	// that shorts a pulled-up line to ground.
	ActiveLow bool `toml:"active_low"`
	// Debounce is how long a new level must hold to count. It defaults
	// to DefaultDebounce; at most gpio.MaxDebounce.
	Debounce time.Duration `toml:"debounce"`
}

// GPIOInput is a GPIO input with edge events: a *gpio.Input, or a fake.
type GPIOInput interface {
	Active() bool
	Run(ctx context.Context, fn func(gpio.Edge)) error
}

// inputEvent is the data of an "input" event.
type inputEvent struct {
	Name   string `json:"name"`
	Active bool   `json:"active"`
}

// withDefaults fills in the inputs' defaults and checks them.
func inputsWithDefaults(ins []InputConfig, chip string) ([]InputConfig, []error) {
	var errs []error
	seen := map[string]bool{}
	for i := range ins {
		in := &ins[i]
		where := fmt.Sprintf("events.inputs[%d]", i)
		if !event.ValidType(in.Name) {
			errs = append(errs, fmt.Errorf("%s: name %q: want 1-%d of a-z, 0-9, '_', '-', '.'", where, in.Name, event.MaxTypeLen))
		}
		if seen[in.Name] {
			errs = append(errs, fmt.Errorf("%s: name %q is used twice", where, in.Name))
		}
		seen[in.Name] = true
		if in.Chip == "" {
			in.Chip = chip
		}
		if in.Chip == "" {
			in.Chip = "gpiochip0"
		}
		if in.Line < 0 {
			errs = append(errs, fmt.Errorf("%s: line %d: must not be negative", where, in.Line))
		}
		if in.Debounce == 0 {
			in.Debounce = DefaultDebounce
		}
		if in.Debounce < 0 || in.Debounce > gpio.MaxDebounce {
			errs = append(errs, fmt.Errorf("%s: debounce %v: want 0 (the default %v) to %v", where, in.Debounce, DefaultDebounce, gpio.MaxDebounce))
		}
	}
	return ins, errs
}

// openGPIOInput is Config.OpenInput's default: the running kernel's lines.
func openGPIOInput(chip string, offset int, activeLow bool, debounce time.Duration, consumer string) (GPIOInput, error) {
	in, err := gpio.OpenInput(chip, offset, activeLow, debounce, consumer)
	if err != nil {
		return nil, err // not a nil *gpio.Input in a non-nil GPIOInput
	}
	return in, nil
}

// openInputs requests the configured inputs' lines.
func (a *Agent) openInputs() error {
	open := a.cfg.OpenInput
	if open == nil {
		open = openGPIOInput
	}
	for _, c := range a.cfg.Events.Inputs {
		in, err := open(c.Chip, c.Line, c.ActiveLow, c.Debounce, inputConsumer)
		if err != nil {
			return fmt.Errorf("agent: events input %q: %w", c.Name, err)
		}
		a.inputs = append(a.inputs, namedInput{name: c.Name, in: in})
	}
	return nil
}

// namedInput is an open input and its name.
type namedInput struct {
	name string
	in   GPIOInput
}

// runInputs publishes the inputs' changes until ctx is done; each
// input's line is released when its Run returns.
func (a *Agent) runInputs(ctx context.Context) {
	done := make(chan struct{}, len(a.inputs))
	for _, n := range a.inputs {
		go func() {
			defer func() { done <- struct{}{} }()
			err := n.in.Run(ctx, func(e gpio.Edge) {
				a.publish(event.TypeInput, inputEvent{Name: n.name, Active: e.Active})
			})
			if err != nil {
				a.log.Error("events input stopped", "input", n.name, "err", err)
			}
		}()
	}
	for range a.inputs {
		<-done
	}
}
