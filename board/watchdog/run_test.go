package watchdog

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/internal/clock"
)

// fakeKeeper counts keepalives and magic closes.
type fakeKeeper struct {
	mu         sync.Mutex // guards the fields below
	keepalives int
	closes     int
	failFeed   bool
}

func (k *fakeKeeper) Keepalive() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.keepalives++
	if k.failFeed {
		return errors.New("EIO")
	}
	return nil
}

func (k *fakeKeeper) Close() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.closes++
	return nil
}

func (k *fakeKeeper) counts() (int, int) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.keepalives, k.closes
}

func TestRun(t *testing.T) {
	const interval = 5 * time.Second
	tests := []struct {
		name string
		// health answers the i-th check (from 0); nil: no check.
		health     func(i int) bool
		failFeed   bool
		ticks      int
		keepalives int // including the one at start
		closes     int // magic closes at the end
		err        error
	}{
		{name: "healthy keeps feeding, clean stop disarms", health: func(int) bool { return true }, ticks: 6, keepalives: 7, closes: 1},
		{name: "no health check counts as healthy", ticks: 3, keepalives: 4, closes: 1},
		{name: "unhealthy stops feeding and stays armed", health: func(i int) bool { return i < 2 }, ticks: 6, keepalives: 3, closes: 0, err: ErrUnhealthy},
		{name: "unhealthy at the first check", health: func(int) bool { return false }, ticks: 4, keepalives: 1, closes: 0, err: ErrUnhealthy},
		{name: "healthy again does not resume", health: func(i int) bool { return i != 1 }, ticks: 5, keepalives: 2, closes: 0, err: ErrUnhealthy},
		{name: "failed at the end stays armed", health: func(i int) bool { return i < 3 }, ticks: 3, keepalives: 4, closes: 0, err: ErrUnhealthy},
		{name: "keepalive errors are logged, feeding goes on", health: func(int) bool { return true }, failFeed: true, ticks: 2, keepalives: 3, closes: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := clock.NewFake(time.Unix(1e9, 0))
			dev := &fakeKeeper{failFeed: tt.failFeed}
			checks := 0
			cfg := Config{Device: dev, Interval: interval, Timeout: 15 * time.Second, Clock: clk,
				Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
			if tt.health != nil {
				cfg.Healthy = func() bool { checks++; return tt.health(checks - 1) }
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- Run(ctx, cfg) }()
			for range tt.ticks {
				clk.WaitPending(1)
				clk.Advance(interval)
			}
			clk.WaitPending(1) // Run has handled the last interval
			if n, _ := dev.counts(); n != tt.keepalives {
				t.Errorf("keepalives = %d after %d intervals, want %d", n, tt.ticks, tt.keepalives)
			}
			cancel()
			if err := <-done; !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
				t.Errorf("Run() = %v, want %v", err, tt.err)
			}
			if n, c := dev.counts(); n != tt.keepalives || c != tt.closes {
				t.Errorf("after stop: keepalives %d, closes %d; want %d, %d", n, c, tt.keepalives, tt.closes)
			}
		})
	}
}

func TestRunNeedsConfig(t *testing.T) {
	if err := Run(context.Background(), Config{Interval: time.Second}); err == nil {
		t.Error("Run without a device succeeded")
	}
	if err := Run(context.Background(), Config{Device: &fakeKeeper{}}); err == nil {
		t.Error("Run without an interval succeeded")
	}
}
