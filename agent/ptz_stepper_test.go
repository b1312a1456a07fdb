//go:build linux

package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/board/gpio"
	"github.com/p2pcam/p2pcam/board/gpio/gpiotest"
	"github.com/p2pcam/p2pcam/internal/clock"
	"github.com/p2pcam/p2pcam/protocol"
)

// replyRecorder is a Responder that keeps the answer.
type replyRecorder struct {
	status protocol.Status
	body   bytes.Buffer
}

func (r *replyRecorder) WriteHead(st protocol.Status, _ protocol.Head) error {
	r.status = st
	return nil
}
func (r *replyRecorder) Write(p []byte) (int, error)      { return r.body.Write(p) }
func (r *replyRecorder) Flush() error                     { return nil }
func (r *replyRecorder) Backlog() int                     { return 0 }
func (r *replyRecorder) SetWriteDeadline(time.Time) error { return nil }

// A uln2003 head from the config, on the fake GPIO kernel: PTZ commands
// through Handle turn the coils, an end stop corrects the count, and
// stopping the agent releases every line.
func TestULN2003Head(t *testing.T) {
	chip := &gpiotest.Chip{Label: "pinctrl-test", Lines: 32}
	k := gpiotest.NewKernel(chip)
	chip.Drive(20, true) // the end stop's switch is open: the pull-up holds the line high
	clk := clock.NewFake(time.Unix(1000, 0))
	a, err := New(Config{
		LAN: LANConfig{Listen: "off"},
		PTZ: PTZConfig{
			Driver: "uln2003", GPIOChip: "pinctrl-test",
			PanCoils: []int{17, 18, 27, 22}, TiltCoils: []int{5, 6, 13, 19},
			EndStops: map[string]int{"pan": 20}, PanSteps: 300, TiltSteps: 100,
			PresetsFile: filepath.Join(t.TempDir(), "presets.json"),
		},
		OpenLine: func(chipName string, offset int, output, activeLow bool, consumer string) (GPIOLine, error) {
			l, err := gpio.OpenLineWith(k, chipName, offset, output, activeLow, consumer)
			if err != nil {
				return nil, err
			}
			return l, nil
		},
		Clock:  clk,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := chip.Consumer(17); got != ptzConsumer {
		t.Fatalf("line 17 held by %q, want %q", got, ptzConsumer)
	}
	cmd := func(c string) map[string]any {
		t.Helper()
		var rec replyRecorder
		a.Handle(context.Background(), protocol.Viewer{Addr: "test", Perms: auth.PermAll}, "command?action=user_define&channel=0&cmd="+c, &rec)
		var out map[string]any
		if err := json.Unmarshal(rec.body.Bytes(), &out); err != nil || rec.status != protocol.StatusOK {
			t.Fatalf("%s: %d %q", c, rec.status, rec.body.String())
		}
		return out
	}
	cmd("ptz_right_press")
	clk.Advance(4 * time.Millisecond) // 500 half steps a second: 2
	if !chip.Level(18) || chip.Level(27) || chip.Level(17) || chip.Level(22) {
		t.Errorf("after 2 half steps right, IN1..IN4 = %v %v %v %v; want off on off off",
			chip.Level(17), chip.Level(18), chip.Level(27), chip.Level(22))
	}
	clk.Advance(96 * time.Millisecond)
	cmd("ptz_release_pre")
	if pos := cmd("ptz_get_position"); pos["pan"] != 50.0 || pos["moving"] != false {
		t.Errorf("after 100 ms right: %v", pos)
	}
	for _, l := range []int{17, 18, 27, 22} {
		if chip.Level(l) {
			t.Errorf("coil line %d on after release", l)
		}
	}
	cmd("ptz_preset_save&preset=1")
	// The end stop (active low) closes while the head goes left.
	cmd("ptz_left_press")
	clk.Advance(20 * time.Millisecond)
	if pos := cmd("ptz_get_position"); pos["pan"] != 40.0 || pos["moving"] != true {
		t.Errorf("20 ms left: %v, want pan 40 and moving", pos)
	}
	chip.Drive(20, false)
	clk.Advance(10 * time.Millisecond)
	if pos := cmd("ptz_get_position"); pos["pan"] != -300.0 || pos["moving"] != false {
		t.Errorf("at the end stop: %v, want pan -300 and stopped", pos)
	}
	chip.Drive(20, true)
	cmd("ptz_preset_goto&preset=1")
	clk.Advance(2 * time.Second)
	if pos := cmd("ptz_get_position"); pos["pan"] != 50.0 {
		t.Errorf("back at preset 1: %v", pos)
	}
	a.closeHubs()
	for _, l := range []int{17, 18, 27, 22, 5, 6, 13, 19, 20} {
		if c := chip.Consumer(l); c != "" {
			t.Errorf("line %d still held by %q after the agent stopped", l, c)
		}
	}
}

// A config whose lines cannot be opened fails New with the reason, and
// releases the lines it had opened.
func TestULN2003HeadBadLine(t *testing.T) {
	chip := &gpiotest.Chip{Label: "pinctrl-test", Lines: 8}
	k := gpiotest.NewKernel(chip)
	_, err := New(Config{
		LAN: LANConfig{Listen: "off"},
		PTZ: PTZConfig{Driver: "uln2003", GPIOChip: "pinctrl-test", PanCoils: []int{0, 1, 2, 3}, TiltCoils: []int{4, 5, 6, 30}},
		OpenLine: func(chipName string, offset int, output, activeLow bool, consumer string) (GPIOLine, error) {
			l, err := gpio.OpenLineWith(k, chipName, offset, output, activeLow, consumer)
			if err != nil {
				return nil, err
			}
			return l, nil
		},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err == nil || !strings.Contains(err.Error(), "out of range") {
		t.Fatalf("New = %v, want a line out of range", err)
	}
	if n := k.OpenFDs(); n != 0 {
		t.Errorf("%d descriptors left open", n)
	}
}
