package viewer_test

import (
	"context"
	"encoding/json"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/agent"
	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/internal/brokertest"
	"github.com/p2pcam/p2pcam/protocol"
	"github.com/p2pcam/p2pcam/viewer"
)

// ask sends a command over the session and decodes its JSON reply.
func ask(t *testing.T, c *viewer.Conn, query string) (protocol.Status, map[string]any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	resp, err := c.Request(ctx, "command?"+query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	var out map[string]any
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("%s: reply %q: %v", query, body, err)
	}
	return resp.Status, out
}

// headAt polls ptz_get_position until cond holds, for up to 10s.
func headAt(t *testing.T, c *viewer.Conn, what string, cond func(pan, tilt int, moving bool) bool) (int, int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, r := ask(t, c, "action=user_define&cmd=ptz_get_position")
		if st != protocol.StatusOK {
			t.Fatalf("ptz_get_position: %d %v", st, r)
		}
		pan, tilt, moving := int(r["pan"].(float64)), int(r["tilt"].(float64)), r["moving"].(bool)
		if cond(pan, tilt, moving) {
			return pan, tilt
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10s; the head is at %d,%d moving=%v", what, pan, tilt, moving)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Custom commands and PTZ over P2P, through the dev cloud's broker and a
// real mosquitto: the same handlers as LAN mode.
func TestCommandsOverP2P(t *testing.T) {
	dir := t.TempDir()
	script := func(name, body string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		return path
	}
	echo := script("echo", `read -r line; printf '{"got":%s}' "$line"`)
	hang := script("hang", `sleep 60`)
	for _, b := range bothBrokers() {
		t.Run(b.name, func(t *testing.T) {
			r := startCameraConfig(t, b.start(t), func(c *agent.Config) {
				c.Commands = map[string]agent.CommandConfig{
					"echo": {Program: echo},
					"hang": {Program: hang, Timeout: 300 * time.Millisecond},
				}
				c.PTZ = agent.PTZConfig{HoldTimeout: 500 * time.Millisecond, PresetsFile: filepath.Join(t.TempDir(), "presets.json")}
			})
			c, err := r.dial(t, r.token(t, auth.PermCommand))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()

			st, rep := ask(t, c, "action=user_define&channel=0&cmd=echo&level=3")
			got, _ := rep["got"].(map[string]any)
			params, _ := got["params"].(map[string]any)
			if st != protocol.StatusOK || rep["status"] != "0" || params["level"] != "3" || got["subject"] != "alice" {
				t.Errorf("echo: %d %v", st, rep)
			}
			if st, rep := ask(t, c, "action=user_define&cmd=hang"); st != protocol.StatusFailed || rep["status"] != "500" {
				t.Errorf("hang: %d %v, want 500", st, rep)
			}
			if st, rep := ask(t, c, "action=user_define&cmd=nope"); st != protocol.StatusNotSupported {
				t.Errorf("unknown command: %d %v, want 406", st, rep)
			}

			topic := func(data string) string {
				return "action=user_define&cmd=" + url.QueryEscape(`{"topic":"ptz","data":`+data+`}`)
			}
			// Press and release.
			if st, rep := ask(t, c, topic(`{"cmd":"ptz_right_press"}`)); st != protocol.StatusOK {
				t.Fatalf("press: %d %v", st, rep)
			}
			headAt(t, c, "pressed right", func(pan, _ int, moving bool) bool { return pan >= 100 && moving })
			if st, rep := ask(t, c, topic(`{"cmd":"ptz_release_pre"}`)); st != protocol.StatusOK {
				t.Fatalf("release: %d %v", st, rep)
			}
			pan, tilt := headAt(t, c, "released", func(_, _ int, moving bool) bool { return !moving })
			// Presets round-trip.
			if st, rep := ask(t, c, "action=user_define&cmd=ptz_preset_save&preset=5"); st != protocol.StatusOK {
				t.Fatalf("save: %d %v", st, rep)
			}
			// No release: the safety stop ends the move short of the limit.
			if st, rep := ask(t, c, "action=user_define&cmd=ptz_down_press"); st != protocol.StatusOK {
				t.Fatalf("press: %d %v", st, rep)
			}
			_, down := headAt(t, c, "safety stop", func(_, tl int, moving bool) bool { return tl < tilt && !moving })
			if down <= -512 {
				t.Errorf("no safety stop: the head went down to the limit (%d)", down)
			}
			if st, rep := ask(t, c, topic(`{"cmd":"ptz_preset_goto","preset":"5"}`)); st != protocol.StatusOK {
				t.Fatalf("goto: %d %v", st, rep)
			}
			headAt(t, c, "goto preset 5", func(p, tl int, _ bool) bool { return p == pan && tl == tilt })
		})
	}
}

// A token without the command permission gets 403 for custom commands
// and PTZ over P2P.
func TestCommandsRefusedOverP2P(t *testing.T) {
	r := startCameraConfig(t, brokertest.AllowAll(t), func(c *agent.Config) {
		c.Commands = map[string]agent.CommandConfig{"echo": {Program: "/bin/cat"}}
	})
	c, err := r.dial(t, r.token(t, auth.PermLive))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, q := range []string{"action=user_define&cmd=echo", "action=user_define&cmd=ptz_left"} {
		if st, rep := ask(t, c, q); st != protocol.StatusForbidden {
			t.Errorf("%s: %d %v, want 403", q, st, rep)
		}
	}
}
