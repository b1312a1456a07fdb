package main

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// serve refuses CORS origins it cannot honour before it connects.
func TestServeAllowOrigin(t *testing.T) {
	tests := []struct {
		origin, wantErr string
	}{
		{"*", "the gateway serves the camera with your token"},
		{"page.test", "want \"*\" or scheme://host[:port]"},
	}
	for _, tt := range tests {
		t.Run(tt.origin, func(t *testing.T) {
			err := run(context.Background(), []string{"serve", "--device", "acme/cam1", "--user", "alice", "--token", "t",
				"--listen", "127.0.0.1:0", "--allow-origin", tt.origin}, io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

// cloud share checks its arguments and takes flags after them.
func TestCloudShare(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"cloud", "adduser", "acme/cam1", "--role", "device", "--dir", dir},
		{"cloud", "adduser", "alice", "--dir", dir},
		{"cloud", "share", "acme/cam1", "alice", "--perm", "live,voice", "--dir", dir},
	} {
		if err := run(context.Background(), args, io.Discard, io.Discard); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
	}
	d, err := cloudFiles{dir}.load()
	if err != nil {
		t.Fatal(err)
	}
	if s := d.SharedWith("alice"); len(s) != 1 || strings.Join(s[0].Perms, ",") != "live,voice" {
		t.Fatalf("shares %+v", d.Shares)
	}
	for _, tt := range []struct {
		args    []string
		wantErr string
	}{
		{[]string{"cloud", "share", "acme/cam1", "--dir", dir}, "want DEVICE and USER"},
		{[]string{"cloud", "share", "acme/cam9", "alice", "--dir", dir}, "no device account"},
		{[]string{"cloud", "share", "acme/cam1", "bob", "--dir", dir}, "no viewer account"},
		{[]string{"cloud", "share", "acme/cam1", "alice", "--perm", "root", "--dir", dir}, "--perm"},
	} {
		if err := run(context.Background(), tt.args, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%v: err = %v, want %q", tt.args, err, tt.wantErr)
		}
	}
}

// A flag error's usage message never shows a secret from the
// environment.
func TestUsageHidesSecrets(t *testing.T) {
	t.Setenv("P2PCAM_PASSWORD", "secret-password-123")
	t.Setenv("P2PCAM_TOKEN", "p2pcam1.secret-token")
	for _, cmd := range []string{"view", "cmd", "serve", "talk", "status", "records", "playback", "download"} {
		var stderr strings.Builder
		err := run(context.Background(), []string{cmd, "--no-such-flag"}, io.Discard, &stderr)
		if err == nil {
			t.Errorf("%s: a bad flag passed", cmd)
		}
		if out := stderr.String(); strings.Contains(out, "secret-password-123") || strings.Contains(out, "secret-token") {
			t.Errorf("%s: usage shows a secret:\n%s", cmd, out)
		}
	}
}

// Mistakes are caught before connecting, with what to do.
func TestCLIMistakes(t *testing.T) {
	t.Setenv("P2PCAM_DEVICE", "")
	keyDir := t.TempDir()
	if err := run(context.Background(), []string{"keygen", "--out", keyDir + "/issuer.key"}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args    []string
		wantErr string
	}{
		{nil, "no command given"},
		{[]string{"token", "--key", keyDir + "/issuer.key"}, "--device is required"},
		{[]string{"token", "--key", keyDir + "/issuer.key", "--device", "cam1"}, "--device: signal: malformed"},
		{[]string{"token", "--key", keyDir + "/issuer.key", "--device", "acme/cam1", "--ttl", "0s"}, "--ttl 0s: want a positive duration"},
		{[]string{"view", "--device", "acme/cam1", "--user", "alice", "--token", "t", "--quality", "ultra"}, "--quality"},
		{[]string{"cmd", "--user", "alice", "--token", "t", "action=inner_define&channel=0&cmd=get_device_st"}, "--device is required"},
		{[]string{"cmd", "--device", "cam1", "--user", "alice", "--token", "t", "action=inner_define&channel=0&cmd=get_device_st"}, "--device: signal: malformed"},
	}
	for _, tt := range tests {
		err := run(context.Background(), tt.args, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%v: err = %v, want %q", tt.args, err, tt.wantErr)
		}
	}
}

// view refuses to write FLV to a terminal, as curl does, but not to
// /dev/null or a pipe.
func TestViewRefusesTerminal(t *testing.T) {
	tty, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal to test with: %v", err)
	}
	defer tty.Close()
	args := []string{"view", "--device", "acme/cam1", "--user", "alice", "--token", "t", "--broker", "mqtt://127.0.0.1:1", "--duration", "1ms"}
	if err := run(context.Background(), args, tty, io.Discard); err == nil || !strings.Contains(err.Error(), "refusing to write binary FLV to a terminal") {
		t.Errorf("to a terminal: %v", err)
	}
	playback := []string{"playback", "acme/cam1", "--user", "alice", "--token", "t", "--broker", "mqtt://127.0.0.1:1", "--from", "-1m"}
	if err := run(context.Background(), playback, tty, io.Discard); err == nil || !strings.Contains(err.Error(), "pipe it (p2pcam playback ... | ffplay -)") {
		t.Errorf("playback to a terminal: %v", err)
	}
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	if err := run(context.Background(), args, null, io.Discard); err != nil && strings.Contains(err.Error(), "terminal") {
		t.Errorf("to /dev/null: %v", err)
	}
}

// A refused flag is a usageError, which main does not print again: the
// flag package has printed it with the usage.
func TestFlagErrorIsUsageError(t *testing.T) {
	for _, cmd := range []string{"view", "cmd", "serve", "talk", "status", "token", "keygen", "cloud", "demo"} {
		var stderr strings.Builder
		err := run(context.Background(), []string{cmd, "--no-such-flag"}, io.Discard, &stderr)
		var usage usageError
		if !errors.As(err, &usage) {
			t.Errorf("%s: err = %v, want a usageError", cmd, err)
		}
		if n := strings.Count(stderr.String(), "no-such-flag"); n != 1 {
			t.Errorf("%s: the bad flag is named %d times:\n%s", cmd, n, stderr.String())
		}
	}
}

// keygen, token and the cloud keep their keys and state in the per-user
// config directory, not the current one, and say where.
func TestStateInUserConfigDir(t *testing.T) {
	config, work := t.TempDir(), t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", config)
	t.Chdir(work)
	tests := []struct {
		args       []string
		file       string // made in config
		stderrSays string
	}{
		{[]string{"keygen"}, "p2pcam/issuer.key", "made " + filepath.Join(config, "p2pcam/issuer.key")},
		{[]string{"keygen"}, "p2pcam/issuer.key", filepath.Join(config, "p2pcam/issuer.key") + " exists"},
		{[]string{"token", "--device", "acme/cam1"}, "p2pcam/issuer.key", ""},
		{[]string{"cloud", "adduser", "alice"}, "p2pcam/cloud/users.toml", "to " + filepath.Join(config, "p2pcam/cloud/users.toml")},
		{[]string{"cloud", "issuer"}, "p2pcam/cloud/issuer.key", "issuer key, " + filepath.Join(config, "p2pcam/cloud/issuer.key")},
	}
	for _, tt := range tests {
		var stdout, stderr strings.Builder
		if err := run(context.Background(), tt.args, &stdout, &stderr); err != nil {
			t.Fatalf("%v: %v\n%s", tt.args, err, stderr.String())
		}
		if stdout.Len() == 0 {
			t.Errorf("%v printed nothing", tt.args)
		}
		if fi, err := os.Stat(filepath.Join(config, tt.file)); err != nil || fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%v: %s: %v, want a private file", tt.args, tt.file, err)
		}
		if !strings.Contains(stderr.String(), tt.stderrSays) {
			t.Errorf("%v: stderr %q does not say %q", tt.args, stderr.String(), tt.stderrSays)
		}
	}
	if left, _ := os.ReadDir(work); len(left) != 0 {
		t.Errorf("files left in the current directory: %v", left)
	}
}
