//go:build linux

package ptz

import (
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/internal/clock"
	"github.com/p2pcam/p2pcam/internal/ptytest"
)

// readFrame reads the next 7 bytes the head gets, within 5s.
func readFrame(t *testing.T, head *os.File) []byte {
	t.Helper()
	return ptytest.Read(t, head, PelcoDSize, 5*time.Second)
}

// noFrame checks that the head got nothing more.
func noFrame(t *testing.T, head *os.File) {
	t.Helper()
	_ = head.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	b := make([]byte, 16)
	if n, _ := head.Read(b); n > 0 {
		t.Fatalf("the head got more: % x", b[:n])
	}
}

func wantFrame(t *testing.T, head *os.File, what string, want []byte) {
	t.Helper()
	if got := readFrame(t, head); !bytes.Equal(got, want) {
		t.Fatalf("%s: the head got % x, want % x", what, got, want)
	}
}

// The Pelco-D driver through a controller, over a real serial line (a
// pty): every message byte for byte with its checksum, the stop of a
// release, of the safety stop and of the end of a step, a move to a
// preset axis by axis, and a stop at close.
func TestPelcoDOverPTY(t *testing.T) {
	head, path := ptytest.Open(t)
	port, err := OpenSerial(path, 2400)
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(time.Unix(1000, 0))
	drv, err := NewPelcoD(PelcoDConfig{Port: port, Address: 3, Speed: 0x20, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	stop := []byte{0xFF, 0x03, 0x00, 0x00, 0x00, 0x00, 0x03}
	wantFrame(t, head, "at start", stop)
	c, err := New(drv, Config{HoldTimeout: time.Second, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}

	// Press with no release: the safety stop after HoldTimeout.
	if err := c.Press(Right); err != nil {
		t.Fatal(err)
	}
	wantFrame(t, head, "press right", []byte{0xFF, 0x03, 0x00, 0x02, 0x20, 0x00, 0x25})
	clk.Advance(time.Second)
	wantFrame(t, head, "safety stop", stop)
	if st, _ := c.State(); st.Pan != 500 || st.Moving {
		t.Fatalf("after 1s right at 500/s: %+v", st)
	}
	// Press and release.
	if err := c.Press(Up); err != nil {
		t.Fatal(err)
	}
	wantFrame(t, head, "press up", []byte{0xFF, 0x03, 0x00, 0x08, 0x00, 0x20, 0x2B})
	clk.Advance(200 * time.Millisecond)
	if err := c.Release(); err != nil {
		t.Fatal(err)
	}
	wantFrame(t, head, "release", stop)
	if err := c.SavePreset(1); err != nil { // at 500, 100
		t.Fatal(err)
	}
	// A step: moves for StepDuration, then stops.
	if err := c.Step(Left); err != nil {
		t.Fatal(err)
	}
	wantFrame(t, head, "step left", []byte{0xFF, 0x03, 0x00, 0x04, 0x20, 0x00, 0x27})
	clk.Advance(DefaultStepDuration)
	wantFrame(t, head, "end of step", stop)
	if err := c.Step(Down); err != nil {
		t.Fatal(err)
	}
	wantFrame(t, head, "step down", []byte{0xFF, 0x03, 0x00, 0x10, 0x00, 0x20, 0x33})
	clk.Advance(DefaultStepDuration)
	wantFrame(t, head, "end of step", stop)
	// Back to preset 1 (pan +150, tilt +150): right and up together,
	// both arrive at once, then stop.
	if err := c.GotoPreset(1); err != nil {
		t.Fatal(err)
	}
	wantFrame(t, head, "goto preset", []byte{0xFF, 0x03, 0x00, 0x0A, 0x20, 0x20, 0x4D})
	clk.Advance(time.Second)
	wantFrame(t, head, "at the preset", stop)
	if st, _ := c.State(); st.Pan != 500 || st.Tilt != 100 || st.Moving {
		t.Fatalf("at preset 1: %+v, want 500,100", st)
	}
	// A move to a place one axis reaches first: that axis stops first.
	if err := drv.MoveTo(Position{Pan: 400, Tilt: -100}); err != nil { // 100 left, 200 down
		t.Fatal(err)
	}
	wantFrame(t, head, "left and down", []byte{0xFF, 0x03, 0x00, 0x14, 0x20, 0x20, 0x57})
	clk.Advance(250 * time.Millisecond)
	wantFrame(t, head, "pan arrived", []byte{0xFF, 0x03, 0x00, 0x10, 0x00, 0x20, 0x33})
	clk.Advance(250 * time.Millisecond)
	wantFrame(t, head, "tilt arrived", stop)
	noFrame(t, head)
	// Close stops the head.
	if err := c.Press(Left); err != nil {
		t.Fatal(err)
	}
	readFrame(t, head)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	wantFrame(t, head, "close", stop)
}

func TestPelcoDConfig(t *testing.T) {
	for _, c := range []PelcoDConfig{{}, {Port: nopPort{}, Address: 256}, {Port: nopPort{}, Speed: 0x40}} {
		if _, err := NewPelcoD(c); err == nil {
			t.Errorf("NewPelcoD(%+v) accepted", c)
		}
	}
	if _, err := OpenSerial("/dev/null", 2400); err == nil {
		t.Error("OpenSerial accepted /dev/null, not a terminal")
	}
	if _, err := OpenSerial("/dev/null", 2401); err == nil {
		t.Error("OpenSerial accepted baud 2401")
	}
}

type nopPort struct{}

func (nopPort) Write(p []byte) (int, error) { return len(p), nil }
func (nopPort) Close() error                { return nil }
