package periph

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/board"
	"github.com/p2pcam/p2pcam/internal/clock"
)

// fakeBoard opens fake lines and a fake watchdog and records everything.
type fakeBoard struct {
	mu       sync.Mutex
	events   []string
	levels   map[string]bool // by "chip:line"
	failOpen map[string]bool // by "chip:line" or the watchdog path
	feeds    int
}

type fakeLine struct {
	b   *fakeBoard
	key string
}

func (l fakeLine) Set(v bool) error {
	l.b.mu.Lock()
	defer l.b.mu.Unlock()
	l.b.levels[l.key] = v
	return nil
}

func (l fakeLine) Get() (bool, error) {
	l.b.mu.Lock()
	defer l.b.mu.Unlock()
	return l.b.levels[l.key], nil
}

func (l fakeLine) Close() error { l.b.event("close " + l.key); return nil }

type fakeWatchdog struct{ b *fakeBoard }

func (w fakeWatchdog) SetTimeout(t time.Duration) (time.Duration, error) {
	w.b.event(fmt.Sprintf("watchdog timeout %v", t))
	return min(t, 15*time.Second), nil
}

func (w fakeWatchdog) Keepalive() error {
	w.b.mu.Lock()
	defer w.b.mu.Unlock()
	w.b.feeds++
	return nil
}

func (w fakeWatchdog) Close() error { w.b.event("watchdog disarmed"); return nil }

func (b *fakeBoard) event(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.events = append(b.events, s)
}

func (b *fakeBoard) config(p board.Profile, clk clock.Clock) Config {
	return Config{
		Profile: p, Clock: clk, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		OpenLine: func(chip string, offset int, output, activeLow bool, consumer string) (Line, error) {
			key := fmt.Sprintf("%s:%d", chip, offset)
			b.event(fmt.Sprintf("open %s output=%v active_low=%v consumer=%s", key, output, activeLow, consumer))
			if b.failOpen[key] {
				return nil, fmt.Errorf("EBUSY")
			}
			return fakeLine{b, key}, nil
		},
		OpenWatchdog: func(path string) (Watchdog, error) {
			b.event("open " + path)
			if b.failOpen[path] {
				return nil, fmt.Errorf("ENOENT")
			}
			return fakeWatchdog{b}, nil
		},
	}
}

var testBoard = board.Profile{
	Name:        "test",
	StatusLED:   board.GPIO{Chip: "chip", Line: 17},
	IRCut:       board.GPIO{Chip: "chip", Line: 27},
	LightSensor: board.GPIO{Chip: "chip", Line: 22, ActiveLow: true},
	Watchdog:    "/dev/watchdog",
}

func TestStart(t *testing.T) {
	all := func(c *Config) { c.StatusLED, c.IRCut, c.Watchdog = true, true, true }
	tests := []struct {
		name     string
		profile  board.Profile
		turnOn   func(*Config)
		failOpen map[string]bool
		want     []string // events in order
	}{
		{"nothing turned on", testBoard, func(*Config) {}, nil, nil},
		{"nothing on the board", board.Profile{Name: "bare"}, all, nil, nil},
		{"everything", testBoard, all, nil, []string{
			"open chip:17 output=true active_low=false consumer=p2pcamd",
			"open chip:27 output=true active_low=false consumer=p2pcamd",
			"open chip:22 output=false active_low=true consumer=p2pcamd",
			"open /dev/watchdog", "watchdog timeout 15s",
			// after ctx:
			"close chip:17", "close chip:27", "close chip:22", "watchdog disarmed",
		}},
		{"busy LED line, missing watchdog", testBoard, all, map[string]bool{"chip:17": true, "/dev/watchdog": true}, []string{
			"open chip:17 output=true active_low=false consumer=p2pcamd",
			"open chip:27 output=true active_low=false consumer=p2pcamd",
			"open chip:22 output=false active_low=true consumer=p2pcamd",
			"open /dev/watchdog",
			"close chip:27", "close chip:22",
		}},
		{"busy sensor releases the filter", testBoard, func(c *Config) { c.IRCut = true }, map[string]bool{"chip:22": true}, []string{
			"open chip:27 output=true active_low=false consumer=p2pcamd",
			"open chip:22 output=false active_low=true consumer=p2pcamd",
			"close chip:27",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &fakeBoard{levels: map[string]bool{}, failOpen: tt.failOpen}
			cfg := b.config(tt.profile, clock.NewFake(time.Unix(0, 0)))
			tt.turnOn(&cfg)
			ctx, cancel := context.WithCancel(context.Background())
			p := Start(ctx, cfg)
			p.SetViewers(1)
			cancel()
			p.Wait()
			got := b.events
			// The clean-up order between goroutines is free: compare
			// the opens in order and the rest as a set.
			n := len(slices.DeleteFunc(slices.Clone(tt.want), func(s string) bool {
				return s == "watchdog disarmed" || len(s) > 5 && s[:5] == "close"
			}))
			if len(got) != len(tt.want) || !slices.Equal(got[:n], tt.want[:n]) {
				t.Fatalf("events\n%q\nwant\n%q", got, tt.want)
			}
			rest, want := slices.Clone(got[n:]), slices.Clone(tt.want[n:])
			slices.Sort(rest)
			slices.Sort(want)
			if !slices.Equal(rest, want) {
				t.Errorf("clean-up %q, want %q", rest, want)
			}
		})
	}
}

func TestLEDAndWatchdogFollowHealth(t *testing.T) {
	b := &fakeBoard{levels: map[string]bool{}}
	clk := clock.NewFake(time.Unix(0, 0))
	cfg := b.config(testBoard, clk)
	cfg.StatusLED, cfg.Watchdog = true, true
	var mu sync.Mutex
	healthy := true
	cfg.Healthy = func() bool { mu.Lock(); defer mu.Unlock(); return healthy }
	ctx, cancel := context.WithCancel(context.Background())
	p := Start(ctx, cfg)
	led := func() bool { b.mu.Lock(); defer b.mu.Unlock(); return b.levels["chip:17"] }
	feeds := func() int { b.mu.Lock(); defer b.mu.Unlock(); return b.feeds }

	clk.WaitPending(2) // the health poll and the watchdog
	p.SetViewers(1)
	if !led() {
		t.Fatal("LED off with a viewer")
	}
	clk.Advance(5 * time.Second) // one feed (every 15s/3), one health poll
	clk.WaitPending(2)
	if feeds() != 2 || !led() {
		t.Fatalf("healthy: %d feeds, LED %v; want 2, on", feeds(), led())
	}
	mu.Lock()
	healthy = false
	mu.Unlock()
	clk.Advance(5 * time.Second)
	clk.WaitPending(3) // the LED now blinks
	lit := led()
	clk.Advance(500 * time.Millisecond)
	if led() == lit {
		t.Error("LED does not blink while unhealthy")
	}
	clk.Advance(20 * time.Second)
	if feeds() != 2 {
		t.Errorf("%d feeds while unhealthy, want no more than 2", feeds())
	}
	cancel()
	p.Wait()
	if slices.Contains(b.events, "watchdog disarmed") {
		t.Error("watchdog disarmed after a failed health check")
	}
	if led() {
		t.Error("LED on after stop")
	}
}
