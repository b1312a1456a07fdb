package ircut

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/internal/clock"
)

// fakeLines is a scripted sensor and a recording filter: reading i (one
// per poll) is script[i], 'D' dark, 'L' light, 'E' an error; the last one
// repeats.
type fakeLines struct {
	mu     sync.Mutex
	script string
	reads  int
	in     []bool // the filter positions set
}

func (f *fakeLines) Get() (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.script[min(f.reads, len(f.script)-1)]
	f.reads++
	if c == 'E' {
		return false, errors.New("EIO")
	}
	return c == 'D', nil
}

func (f *fakeLines) Set(in bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.in = append(f.in, in)
	return nil
}

func TestRun(t *testing.T) {
	const poll = time.Second
	tests := []struct {
		name   string
		script string // one reading per second from t=0
		// modes is the mode after each reading: 'd' day, 'n' night.
		modes string
	}{
		{"stays day in light", "LLLLL", "ddddd"},
		// Night needs 10 s of dark: the first dark reading at t=0, the
		// switch at the reading at t=10.
		{"night after 10 s of dark", "DDDDDDDDDDDD", "ddddddddddnn"},
		{"a light blip restarts the count", "DDDDDLDDDDDDDDDDD", "ddddddddddddddddn"},
		{"an error restarts the count", "DDDDDEDDDDDDDDDDD", "ddddddddddddddddn"},
		// Back to day needs 30 s of light.
		{"day after 30 s of light", "DDDDDDDDDDD" + strings.Repeat("L", 31), "ddddddddddn" + strings.Repeat("n", 30) + "d"},
		{"IR LED glare under 30 s keeps night", "DDDDDDDDDDD" + strings.Repeat("L", 20) + "DD", "ddddddddddn" + strings.Repeat("n", 22)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := clock.NewFake(time.Unix(0, 0))
			lines := &fakeLines{script: tt.script}
			var mu sync.Mutex
			night := false
			cfg := Config{Sensor: lines, Filter: lines, Poll: poll, Clock: clk,
				OnChange: func(n bool) { mu.Lock(); night = n; mu.Unlock() },
				Logger:   slog.New(slog.NewTextHandler(io.Discard, nil))}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- Run(ctx, cfg) }()
			for i := range len(tt.modes) {
				clk.WaitPending(1) // reading i is done
				mu.Lock()
				got := night
				mu.Unlock()
				if want := tt.modes[i] == 'n'; got != want {
					t.Fatalf("after reading %d (t=%ds): night = %v, want %v", i, i, got, want)
				}
				lines.mu.Lock()
				filterIn := lines.in[len(lines.in)-1]
				lines.mu.Unlock()
				if filterIn == got {
					t.Fatalf("after reading %d: filter in = %v in night = %v", i, filterIn, got)
				}
				clk.Advance(poll)
			}
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestRunNeedsLines(t *testing.T) {
	if err := Run(context.Background(), Config{}); err == nil {
		t.Error("Run without lines succeeded")
	}
}
