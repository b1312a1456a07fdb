package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/auth"
)

// writeScript writes an executable test program (a shell script: the
// camera runs it directly, as it would a maker's binary).
func writeScript(t *testing.T, dir, name, body string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// commandsConfig is a config with one custom command of each kind.
func commandsConfig(t *testing.T) string {
	dir := t.TempDir()
	echo := writeScript(t, dir, "echo", `read -r line; printf '{"got":%s,"argv":"%s"}' "$line" "$*"`)
	text := writeScript(t, dir, "text", `echo "hello from $P2PCAM_COMMAND"`)
	hang := writeScript(t, dir, "hang", `sleep 60`)
	flood := writeScript(t, dir, "flood", `while :; do echo floodfloodfloodfloodfloodflood; done`)
	fail := writeScript(t, dir, "fail", `echo "secret detail" >&2; exit 3`)
	return fmt.Sprintf(`
[commands.echo]
program = %q
args = ["a", "b c"]
[commands.text]
program = %q
[commands.hang]
program = %q
timeout = "300ms"
[commands.flood]
program = %q
max_output = 1000
[commands.fail]
program = %q
[commands.missing]
program = %q
[commands.only_bob]
program = %q
subjects = ["bob"]
`, echo, text, hang, flood, fail, filepath.Join(dir, "not-there"), text)
}

// command sends a command and decodes its JSON reply.
func (d *daemon) command(t *testing.T, query string) (int, map[string]any) {
	t.Helper()
	st, body := d.get(t, "command?"+query)
	var out map[string]any
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("%s: status %d, reply %q is not a JSON object: %v", query, st, body, err)
	}
	return st, out
}

func TestCustomCommandsOverLAN(t *testing.T) {
	d := startDaemon(t, commandsConfig(t))
	topic := func(s string) string { return "action=user_define&channel=0&cmd=" + url.QueryEscape(s) }
	tests := []struct {
		name   string
		query  string
		status int
		check  func(t *testing.T, r map[string]any)
		errHas string // in the reply's "error"
	}{
		{"params as JSON on stdin", "action=user_define&channel=0&cmd=echo&level=3&mode=night", 200, func(t *testing.T, r map[string]any) {
			got, _ := r["got"].(map[string]any)
			params, _ := got["params"].(map[string]any)
			if r["status"] != "0" || got["cmd"] != "echo" || params["level"] != "3" || params["mode"] != "night" || len(params) != 2 || r["argv"] != "a b c" {
				t.Errorf("reply %v", r)
			}
		}, ""},
		{"the JSON form's data", topic(`{"topic":"echo","data":{"level":3,"on":true},"message_id":9}`), 200, func(t *testing.T, r map[string]any) {
			got, _ := r["got"].(map[string]any)
			params, _ := got["params"].(map[string]any)
			if params["level"] != 3.0 || params["on"] != true || got["message_id"] != 9.0 {
				t.Errorf("reply %v", r)
			}
		}, ""},
		{"text reply", "action=user_define&cmd=text", 200, func(t *testing.T, r map[string]any) {
			if r["status"] != "0" || r["data"] != "hello from text" {
				t.Errorf("reply %v", r)
			}
		}, ""},
		{"hangs: timeout", "action=user_define&cmd=hang", 500, nil, "timed out after 300ms"},
		{"floods stdout", "action=user_define&cmd=flood", 500, nil, "more than 1000 bytes"},
		{"exits non-zero", "action=user_define&cmd=fail", 500, func(t *testing.T, r map[string]any) {
			if strings.Contains(fmt.Sprint(r), "secret detail") {
				t.Errorf("stderr reached the viewer: %v", r)
			}
		}, "exited with status 3"},
		{"missing program", "action=user_define&cmd=missing", 500, nil, "cannot be started"},
		{"subject not listed", "action=user_define&cmd=only_bob", 403, nil, "not allowed"},
		{"unknown command", "action=user_define&cmd=launch_missiles", 406, nil, "not supported"},
		{"unknown topic", topic(`{"topic":"nope","data":{}}`), 406, nil, `topic "nope"`},
		{"bad JSON form", topic(`{"topic":"echo","data":[1]}`), 404, nil, "data must be an object"},
		{"non-UTF-8 parameter", "action=user_define&cmd=echo&x=%FF", 404, nil, "UTF-8"},
		{"oversized parameter", "action=user_define&cmd=echo&x=" + strings.Repeat("a", 5000), 404, nil, "limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			st, r := d.command(t, tt.query)
			if st != tt.status {
				t.Errorf("status %d %v, want %d", st, r, tt.status)
			}
			if e, _ := r["error"].(string); !strings.Contains(e, tt.errHas) {
				t.Errorf("error %q, want it to contain %q", e, tt.errHas)
			}
			if tt.check != nil {
				tt.check(t, r)
			}
			if took := time.Since(start); took > 4*time.Second {
				t.Errorf("took %v", took)
			}
		})
	}
	if st, index := d.get(t, ""); st != 200 || !strings.Contains(index, "cmd=echo'") || !strings.Contains(index, "cmd=ptz_left'") {
		t.Errorf("the index page does not list the commands: %d\n%s", st, index)
	}
	if _, ok := d.waitLog(5*time.Second, "command failed", "cmd=fail", "secret detail"); !ok {
		t.Error("the failing program's stderr is not in the camera's log")
	}
}

// With auth on, a custom command needs the permissions its config names
// (command by default), and a subject list limits it further.
func TestCustomCommandPermissions(t *testing.T) {
	pub, issuer, _ := ed25519.GenerateKey(rand.Reader)
	dir := t.TempDir()
	ok := writeScript(t, dir, "ok", `echo '{"done":true}'`)
	cfg := fmt.Sprintf(`device = "acme/door"
[auth]
trusted_keys = [%q]
device_key = %q
[commands.reboot]
program = %q
[commands.temperature]
program = %q
permissions = "live"
[commands.unlock]
program = %q
permissions = "command,voice"
subjects = ["alice"]
`, auth.MarshalPublicKey(pub), filepath.Join(dir, "device.key"), ok, ok, ok)
	d := startDaemon(t, cfg)
	now := time.Now()
	token := func(subject string, perms auth.Permission) string {
		tok, err := auth.Sign(issuer, auth.Claims{Device: "acme/door", Subject: subject, Perms: perms, IssuedAt: now, Expiry: now.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	tests := []struct {
		cmd, subject string
		perms        auth.Permission
		status       int
	}{
		{"reboot", "bob", auth.PermCommand, 200},
		{"reboot", "bob", auth.PermLive, 403},
		{"temperature", "bob", auth.PermLive, 200},
		{"temperature", "bob", auth.PermVoice, 403},
		{"unlock", "alice", auth.PermCommand | auth.PermVoice, 200},
		{"unlock", "alice", auth.PermCommand, 403},
		{"unlock", "bob", auth.PermAll, 403},
		{"ptz_get_position", "bob", auth.PermLive, 403},
		{"ptz_get_position", "bob", auth.PermCommand, 200},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s %s %s", tt.cmd, tt.subject, tt.perms), func(t *testing.T) {
			st, body := d.get(t, "command?action=user_define&cmd="+tt.cmd+"&token="+token(tt.subject, tt.perms))
			if st != tt.status {
				t.Errorf("status %d %q, want %d", st, body, tt.status)
			}
			if st == 200 && tt.cmd != "ptz_get_position" && body != `{"done":true,"status":"0"}`+"\n" {
				t.Errorf("reply %q", body)
			}
		})
	}
}

// Requests of this test's PTZ commands.
func ptzQuery(cmd string) string { return "action=user_define&channel=0&cmd=" + cmd }
func ptzTopic(data string) string {
	return "action=user_define&channel=0&cmd=" + url.QueryEscape(`{"topic":"ptz","data":`+data+`}`)
}

// position asks the camera where its head is.
func (d *daemon) position(t *testing.T) (pan, tilt int, moving bool) {
	t.Helper()
	st, r := d.command(t, ptzQuery("ptz_get_position"))
	if st != 200 || r["status"] != "0" {
		t.Fatalf("ptz_get_position: %d %v", st, r)
	}
	p, _ := r["pan"].(float64)
	tl, _ := r["tilt"].(float64)
	m, _ := r["moving"].(bool)
	return int(p), int(tl), m
}

// waitHead polls the head's position until cond holds, for up to 10s.
func (d *daemon) waitHead(t *testing.T, what string, cond func(pan, tilt int, moving bool) bool) (int, int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		pan, tilt, moving := d.position(t)
		if cond(pan, tilt, moving) {
			return pan, tilt
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10s; the head is at %d,%d moving=%v", what, pan, tilt, moving)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (d *daemon) ptz(t *testing.T, query string) {
	t.Helper()
	if st, r := d.command(t, query); st != 200 || r["status"] != "0" {
		t.Fatalf("%s: %d %v", query, st, r)
	}
}

// The sim board's head over LAN: press and release in both forms, the
// safety stop, steps, and presets that survive a restart.
func TestPTZOverLAN(t *testing.T) {
	presets := filepath.Join(t.TempDir(), "presets.json")
	cfg := fmt.Sprintf("[ptz]\nhold_timeout = \"500ms\"\npresets_file = %q\n", presets)
	d := startDaemon(t, cfg)
	if pan, tilt, moving := d.position(t); pan != 0 || tilt != 0 || moving {
		t.Fatalf("a new head is at %d,%d moving=%v, want the centre", pan, tilt, moving)
	}

	// Press right (query form), release (JSON form): it stops and stays.
	d.ptz(t, ptzQuery("ptz_right_press"))
	d.waitHead(t, "pressed right", func(pan, _ int, moving bool) bool { return pan >= 100 && moving })
	d.ptz(t, ptzTopic(`{"cmd":"ptz_release_pre"}`))
	pan, _, moving := d.position(t)
	if moving || pan < 100 {
		t.Fatalf("after release: pan %d moving=%v", pan, moving)
	}
	time.Sleep(200 * time.Millisecond) // a stopped head stays put
	if again, _, _ := d.position(t); again != pan {
		t.Fatalf("a released head moved on: pan %d then %d", pan, again)
	}

	// Press up (JSON form) and send no release: the safety stop at
	// 500ms stops it well short of the limit (512 steps at 500/s).
	d.ptz(t, ptzTopic(`{"cmd":"ptz_up_press"}`))
	_, tilt := d.waitHead(t, "safety stop", func(_, tilt int, moving bool) bool { return tilt > 0 && !moving })
	if tilt >= 512 {
		t.Fatalf("no safety stop: the head went up to the limit (%d)", tilt)
	}

	// A step left moves a little and stops by itself.
	before, _, _ := d.position(t)
	d.ptz(t, ptzQuery("ptz_left"))
	after, _ := d.waitHead(t, "step left", func(p, _ int, moving bool) bool { return p < before && !moving })
	if before-after > 400 {
		t.Errorf("a 300ms step moved %d steps", before-after)
	}

	// Presets: save here as 2, move away, go back.
	pan, tilt, _ = d.position(t)
	d.ptz(t, ptzQuery("ptz_preset_save&preset=2"))
	d.ptz(t, ptzQuery("ptz_down"))
	d.waitHead(t, "moved away", func(_, tl int, moving bool) bool { return tl < tilt && !moving })
	d.ptz(t, ptzTopic(`{"cmd":"ptz_preset_goto","preset":2}`))
	d.waitHead(t, "goto preset 2", func(p, tl int, _ bool) bool { return p == pan && tl == tilt })

	for _, bad := range []struct {
		query  string
		status int
	}{
		{ptzQuery("ptz_preset_goto&preset=7"), 404},
		{ptzQuery("ptz_preset_save&preset=0"), 404},
		{ptzQuery("ptz_preset_save"), 404},
		{ptzQuery("ptz_sideways"), 406},
		{ptzQuery("ptz_left_wiggle"), 406},
		{ptzTopic(`{"cmd":7}`), 404},
		{"action=user_define&cmd=" + url.QueryEscape(`{"topic":"ptz","data":{"cmd":"ptz_teleport"}}`), 406},
	} {
		if st, r := d.command(t, bad.query); st != bad.status {
			t.Errorf("%s: %d %v, want %d", bad.query, st, r, bad.status)
		}
	}

	// A restart keeps the presets: a new camera, its head at the centre,
	// goes to preset 2.
	d2 := startDaemon(t, cfg)
	d2.ptz(t, ptzQuery("ptz_preset_goto&preset=2"))
	d2.waitHead(t, "goto preset 2 after a restart", func(p, tl int, _ bool) bool { return p == pan && tl == tilt })
}

// A board without a head answers PTZ with 406.
func TestPTZOff(t *testing.T) {
	d := startDaemon(t, "[ptz]\ndriver = \"off\"\n")
	st, body := d.get(t, "command?"+ptzQuery("ptz_left"))
	if st != 406 || !strings.Contains(body, "no pan-tilt head") {
		t.Errorf("status %d %q, want 406", st, body)
	}
	resp, err := http.Get(d.url("command?" + ptzQuery("ptz_get_position")))
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 406 {
		t.Errorf("ptz_get_position: %d", resp.StatusCode)
	}
}

// A command that takes longer than lan.write_timeout still gets its
// reply: the write deadline runs from when the answer is written.
func TestSlowCommandOverLAN(t *testing.T) {
	slow := writeScript(t, t.TempDir(), "slow", `sleep 1.5; echo '{"slow":true}'`)
	d := startDaemon(t, fmt.Sprintf("[lan]\nwrite_timeout = \"500ms\"\n[commands.slow]\nprogram = %q\n", slow))
	st, r := d.command(t, "action=user_define&cmd=slow")
	if st != 200 || r["slow"] != true {
		t.Errorf("status %d %v", st, r)
	}
}

// At most 4 programs run at once: more get status 1 (busy, HTTP 503)
// at once, and the camera still answers.
func TestCustomCommandsBusy(t *testing.T) {
	hang := writeScript(t, t.TempDir(), "hang", `sleep 60`)
	d := startDaemon(t, fmt.Sprintf("[commands.hang]\nprogram = %q\ntimeout = \"3s\"\n", hang))
	const n = 6
	type answer struct {
		status int
		body   string
	}
	answers := make(chan answer, n)
	for range n {
		go func() {
			resp, body, err := d.fetch(d.url("command?action=user_define&cmd=hang"), 15*time.Second)
			if err != nil {
				answers <- answer{0, err.Error()}
				return
			}
			answers <- answer{resp.StatusCode, string(body)}
		}()
	}
	counts := map[int]int{}
	for range n {
		a := <-answers
		counts[a.status]++
		if a.status == 503 && !strings.Contains(a.body, "too many commands") {
			t.Errorf("busy answer %q", a.body)
		}
	}
	if counts[503] < 1 || counts[500] < 1 || counts[500] > 4 || counts[500]+counts[503] != n {
		t.Errorf("answers by status %v; want up to 4 timeouts (500) and the rest busy (503)", counts)
	}
	if st, body := d.get(t, "command?action=user_define&cmd=ptz_get_position"); st != 200 {
		t.Errorf("after the busy commands: %d %q", st, body)
	}
}
