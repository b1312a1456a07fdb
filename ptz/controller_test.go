package ptz

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/internal/clock"
)

// newTest returns a controller of a sim head (500 steps/s, limits
// ±2048/±512) on a fake clock.
func newTest(t *testing.T, cfg Config) (*Controller, *clock.Fake) {
	t.Helper()
	clk := clock.NewFake(time.Unix(1000, 0))
	sim, err := NewSim(SimConfig{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Clock = clk
	c, err := New(sim, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c, clk
}

func state(t *testing.T, c *Controller) State {
	t.Helper()
	st, err := c.State()
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// A step of each direction; then press and hold.
var moveTests = []struct {
	name    string
	act     func(c *Controller) error
	advance time.Duration
	want    State
}{
	{"step left", func(c *Controller) error { return c.Step(Left) }, time.Second, State{Position: Position{Pan: -150}}},
	{"step right", func(c *Controller) error { return c.Step(Right) }, time.Second, State{Position: Position{Pan: 150}}},
	{"step up", func(c *Controller) error { return c.Step(Up) }, time.Second, State{Position: Position{Tilt: 150}}},
	{"step down", func(c *Controller) error { return c.Step(Down) }, time.Second, State{Position: Position{Tilt: -150}}},
	{"pressed, moving", func(c *Controller) error { return c.Press(Right) }, time.Second, State{Position: Position{Pan: 500}, Moving: true}},
	{"press stops at the limit", func(c *Controller) error { return c.Press(Up) }, 4 * time.Second, State{Position: Position{Tilt: 512}}},
	{"release stops", func(c *Controller) error {
		if err := c.Press(Right); err != nil {
			return err
		}
		return c.Release()
	}, time.Second, State{}},
}

func TestMoves(t *testing.T) {
	for _, tt := range moveTests {
		t.Run(tt.name, func(t *testing.T) {
			c, clk := newTest(t, Config{})
			if err := tt.act(c); err != nil {
				t.Fatal(err)
			}
			clk.Advance(tt.advance)
			if got := state(t, c); got != tt.want {
				t.Errorf("after %v: %+v, want %+v", tt.advance, got, tt.want)
			}
		})
	}
}

func TestSafetyStop(t *testing.T) {
	c, clk := newTest(t, Config{HoldTimeout: 2 * time.Second})
	if err := c.Press(Right); err != nil {
		t.Fatal(err)
	}
	clk.Advance(1500 * time.Millisecond)
	if err := c.Press(Right); err != nil { // the app repeats its press: keep going
		t.Fatal(err)
	}
	clk.Advance(1500 * time.Millisecond)
	if st := state(t, c); !st.Moving || st.Pan != 1500 {
		t.Fatalf("3s after a repeated press: %+v, want moving at pan 1500", st)
	}
	clk.Advance(500 * time.Millisecond) // 2s since the last press
	st := state(t, c)
	if st.Moving || st.Pan != 1750 {
		t.Fatalf("2s after the last press: %+v, want stopped at pan 1750", st)
	}
	clk.Advance(time.Second)
	if again := state(t, c); again != st {
		t.Fatalf("after the safety stop the head moved on: %+v", again)
	}
}

// A timer of an earlier press must not stop a later move.
func TestStaleTimerStopsNothing(t *testing.T) {
	c, clk := newTest(t, Config{HoldTimeout: time.Second, StepDuration: 100 * time.Millisecond})
	if err := c.Step(Left); err != nil {
		t.Fatal(err)
	}
	if err := c.Press(Up); err != nil {
		t.Fatal(err)
	}
	clk.Advance(500 * time.Millisecond)
	if st := state(t, c); !st.Moving || st.Tilt != 250 {
		t.Fatalf("%+v, want still moving up at tilt 250", st)
	}
}

func TestPresets(t *testing.T) {
	path := filepath.Join(t.TempDir(), "presets.json")
	c, clk := newTest(t, Config{PresetsFile: path})
	if err := c.GotoPreset(1); !errors.Is(err, ErrNoPreset) {
		t.Errorf("goto an unsaved preset = %v, want ErrNoPreset", err)
	}
	for _, n := range []int{0, -1, MaxPresets + 1} {
		if err := c.SavePreset(n); !errors.Is(err, ErrBadPreset) {
			t.Errorf("SavePreset(%d) = %v, want ErrBadPreset", n, err)
		}
	}
	_ = c.Press(Right)
	clk.Advance(time.Second)
	_ = c.Press(Up)
	clk.Advance(200 * time.Millisecond)
	_ = c.Release()
	want := Position{Pan: 500, Tilt: 100}
	if err := c.SavePreset(3); err != nil {
		t.Fatal(err)
	}
	_ = c.Press(Left)
	clk.Advance(3 * time.Second)
	_ = c.Release()
	if err := c.GotoPreset(3); err != nil {
		t.Fatal(err)
	}
	clk.Advance(10 * time.Second)
	if st := state(t, c); st.Position != want || st.Moving {
		t.Fatalf("after goto 3: %+v, want %+v", st, want)
	}
	_ = c.Close()

	// A restart: a new controller of a new head reads the file.
	c2, clk2 := newTest(t, Config{PresetsFile: path})
	if err := c2.GotoPreset(3); err != nil {
		t.Fatal(err)
	}
	clk2.Advance(10 * time.Second)
	if st := state(t, c2); st.Position != want {
		t.Fatalf("after a restart, goto 3: %+v, want %+v", st, want)
	}
}

var presetFiles = []struct {
	name string
	data string
	want map[int]Position // nil: an error
}{
	{"one", `{"presets":{"1":{"pan":5,"tilt":-3}}}`, map[int]Position{1: {5, -3}}},
	{"empty", `{}`, map[int]Position{}},
	{"not JSON", `{"presets":`, nil},
	{"bad number", `{"presets":{"x":{"pan":5}}}`, nil},
	{"out of range", `{"presets":{"65":{"pan":5}}}`, nil},
	{"zero", `{"presets":{"0":{"pan":5}}}`, nil},
	{"wrong type", `{"presets":{"1":{"pan":"5"}}}`, nil},
}

func TestLoadPresets(t *testing.T) {
	for _, tt := range presetFiles {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "p.json")
			if err := os.WriteFile(path, []byte(tt.data), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := loadPresets(path)
			if tt.want == nil {
				if !errors.Is(err, ErrBadPresetsFile) {
					t.Fatalf("loadPresets = %v, %v; want ErrBadPresetsFile", got, err)
				}
				if b, _ := os.ReadFile(path); string(b) != tt.data {
					t.Fatal("a bad presets file was changed")
				}
				return
			}
			if err != nil || len(got) != len(tt.want) {
				t.Fatalf("loadPresets = %v, %v; want %v", got, err, tt.want)
			}
			for n, p := range tt.want {
				if got[n] != p {
					t.Errorf("preset %d = %v, want %v", n, got[n], p)
				}
			}
		})
	}
	if p, err := loadPresets(filepath.Join(t.TempDir(), "missing")); err != nil || len(p) != 0 {
		t.Errorf("missing file: %v, %v", p, err)
	}
}

func FuzzDecodePresets(f *testing.F) {
	for _, tt := range presetFiles {
		f.Add([]byte(tt.data))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ps, err := decodePresets(b, "fuzz")
		if err != nil {
			return
		}
		for n := range ps {
			if checkPreset(n) != nil {
				t.Fatalf("accepted preset %d", n)
			}
		}
	})
}

func TestClosed(t *testing.T) {
	c, _ := newTest(t, Config{})
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"press": c.Press(Left), "step": c.Step(Left), "release": c.Release(), "save": c.SavePreset(1),
	} {
		if !errors.Is(err, ErrClosed) {
			t.Errorf("%s after Close = %v, want ErrClosed", name, err)
		}
	}
}

func TestConfigLimits(t *testing.T) {
	sim, _ := NewSim(SimConfig{})
	for _, cfg := range []Config{{HoldTimeout: -1}, {HoldTimeout: 2 * MaxHoldTimeout}, {StepDuration: -1}} {
		if _, err := New(sim, cfg); err == nil {
			t.Errorf("New(%+v) = nil error", cfg)
		}
	}
	if _, err := ParseDirection("sideways"); !errors.Is(err, ErrBadDirection) {
		t.Errorf("ParseDirection(sideways) = %v", err)
	}
	for _, d := range []Direction{Left, Right, Up, Down} {
		if got, err := ParseDirection(d.String()); err != nil || got != d {
			t.Errorf("ParseDirection(%v) = %v, %v", d, got, err)
		}
	}
}
