package statusled

import (
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/internal/clock"
)

// fakePin records the levels set.
type fakePin struct {
	mu     sync.Mutex
	levels []bool
}

func (p *fakePin) Set(on bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.levels = append(p.levels, on)
	return nil
}

func (p *fakePin) on() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.levels) > 0 && p.levels[len(p.levels)-1]
}

func TestLED(t *testing.T) {
	const period = time.Second
	type step struct {
		viewers int // -1: leave
		failing int // -1: leave, 0: false, 1: true
		advance time.Duration
		want    bool // lit afterwards
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"off without viewers", []step{{viewers: 0, failing: -1, want: false}}},
		{"on while viewers watch", []step{
			{viewers: 1, failing: -1, want: true},
			{viewers: 3, failing: -1, want: true},
			{viewers: 0, failing: -1, want: false},
		}},
		{"blinks while failing", []step{
			{viewers: -1, failing: 1, want: true},
			{viewers: -1, failing: -1, advance: period / 2, want: false},
			{viewers: -1, failing: -1, advance: period / 2, want: true},
			{viewers: 2, failing: -1, advance: period / 2, want: false}, // viewers do not stop the blinking
			{viewers: -1, failing: 0, want: true},                       // recovered: steady, viewers watch
			{viewers: -1, failing: -1, advance: 5 * period, want: true},
		}},
		{"failing again restarts blinking", []step{
			{viewers: -1, failing: 1, want: true},
			{viewers: -1, failing: 0, want: false},
			{viewers: -1, failing: 1, want: true},
			{viewers: -1, failing: 1, advance: period / 2, want: false}, // a repeated report does not reset it
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := clock.NewFake(time.Unix(0, 0))
			pin := &fakePin{}
			led, err := New(Config{Pin: pin, BlinkPeriod: period, Clock: clk, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
			if err != nil {
				t.Fatal(err)
			}
			for i, s := range tt.steps {
				if s.viewers >= 0 {
					led.SetViewers(s.viewers)
				}
				if s.failing >= 0 {
					led.SetFailing(s.failing == 1)
				}
				clk.Advance(s.advance)
				if got := pin.on(); got != s.want {
					t.Fatalf("step %d: lit = %v, want %v (levels %v)", i, got, s.want, pin.levels)
				}
			}
			led.Close()
			if pin.on() {
				t.Error("lit after Close")
			}
			if n := clk.Pending(); n != 0 {
				t.Errorf("%d timers pending after Close", n)
			}
			n := len(pin.levels)
			clk.Advance(10 * period)
			led.SetViewers(1)
			if len(pin.levels) != n {
				t.Errorf("levels set after Close: %v", pin.levels[n:])
			}
		})
	}
}

func TestNewSwitchesOff(t *testing.T) {
	pin := &fakePin{}
	if _, err := New(Config{Pin: pin}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(pin.levels, []bool{false}) {
		t.Errorf("levels = %v, want [false]", pin.levels)
	}
	if _, err := New(Config{}); err == nil {
		t.Error("New without a pin succeeded")
	}
}
