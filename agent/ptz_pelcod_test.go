//go:build linux

package agent

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/internal/clock"
	"github.com/p2pcam/p2pcam/internal/ptytest"
	"github.com/p2pcam/p2pcam/protocol"
)

// A Pelco-D head from the config on a serial port (a pty): PTZ commands
// through Handle reach it as Pelco-D messages at its address; a press
// with no release is stopped by the safety stop; stopping the agent
// stops the head.
func TestPelcoDHead(t *testing.T) {
	head, path := ptytest.Open(t)
	clk := clock.NewFake(time.Unix(1000, 0))
	a, err := New(Config{
		LAN:    LANConfig{Listen: "off"},
		PTZ:    PTZConfig{Driver: "pelco-d", Serial: path, Baud: 4800, Address: 7, HoldTimeout: 2 * time.Second},
		Clock:  clk,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	frame := func(what string, want ...byte) {
		t.Helper()
		if got := ptytest.Read(t, head, 7, 5*time.Second); !bytes.Equal(got, want) {
			t.Fatalf("%s: the head got % x, want % x", what, got, want)
		}
	}
	stop := []byte{0xFF, 0x07, 0x00, 0x00, 0x00, 0x00, 0x07}
	frame("at start", stop...)
	cmd := func(c string) {
		t.Helper()
		var rec replyRecorder
		a.Handle(context.Background(), protocol.Viewer{Addr: "test", Perms: auth.PermAll}, "command?action=user_define&channel=0&cmd="+c, &rec)
		if rec.status != protocol.StatusOK {
			t.Fatalf("%s: %d %q", c, rec.status, rec.body.String())
		}
	}
	cmd("ptz_left_press")
	frame("press left", 0xFF, 0x07, 0x00, 0x04, 0x20, 0x00, 0x2B)
	clk.Advance(2 * time.Second)
	frame("safety stop", stop...)
	cmd("ptz_up")
	frame("step up", 0xFF, 0x07, 0x00, 0x08, 0x00, 0x20, 0x2F)
	cmd("ptz_release_pre")
	frame("release", stop...)
	cmd("ptz_down_press")
	frame("press down", 0xFF, 0x07, 0x00, 0x10, 0x00, 0x20, 0x37)
	a.closeHubs()
	frame("agent stopped", stop...)
}
