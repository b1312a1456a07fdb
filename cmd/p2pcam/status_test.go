package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/agent"
	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/protocol"
)

// startLANCamera runs a sim camera in LAN mode on a free loopback port,
// trusting issuer's tokens when issuer is not nil, and returns its URL.
func startLANCamera(t *testing.T, issuer ed25519.PrivateKey) string {
	t.Helper()
	cfg := agent.Config{LAN: agent.LANConfig{Listen: "127.0.0.1:0"}}
	if issuer != nil {
		cfg.Device = "acme/cam1"
		cfg.Auth = agent.AuthConfig{TrustedKeys: []string{auth.MarshalPublicKey(issuer.Public().(ed25519.PublicKey))}, DeviceKey: filepath.Join(t.TempDir(), "device.key")}
	}
	a, _ := startAgent(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	addr := a.LANAddr(ctx)
	if addr == nil {
		t.Fatal("the camera never listened")
	}
	return "http://" + addr.String()
}

// startAgent runs a camera with cfg (quiet unless -v) until stop or the
// end of the test.
func startAgent(t *testing.T, cfg agent.Config) (a *agent.Agent, stop func()) {
	t.Helper()
	logw := io.Discard
	if testing.Verbose() {
		logw = os.Stderr
	}
	cfg.Logger = slog.New(slog.NewTextHandler(logw, nil))
	a, err := agent.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	stop = sync.OnceFunc(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	t.Cleanup(stop)
	return a, stop
}

// opsToken is issuer's token for acme/cam1 and subject ops with perms.
func opsToken(t *testing.T, issuer ed25519.PrivateKey, perms auth.Permission) string {
	t.Helper()
	now := time.Now()
	tok, err := auth.Sign(issuer, auth.Claims{Device: "acme/cam1", Subject: "ops", Perms: perms, IssuedAt: now, Expiry: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// p2pcam status --lan prints the camera's viewers and streams as tables,
// or its JSON with --json; with auth on it needs an operator's token.
func TestStatusLAN(t *testing.T) {
	t.Setenv("P2PCAM_DEVICE", "")
	_, issuer, _ := ed25519.GenerateKey(rand.Reader)
	token := func(p auth.Permission) string { return opsToken(t, issuer, p) }
	open := startLANCamera(t, nil)
	resp, err := http.Get(open + "/ipc.flv?action=live&channel=0&quality=high")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	go io.Copy(io.Discard, resp.Body) //nolint:errcheck // until the test closes it
	authed := startLANCamera(t, issuer)

	tests := []struct {
		name    string
		args    []string
		want    []string // in the output, in order
		wantErr string
	}{
		{"tables", []string{"status", "--lan", open}, []string{": board sim, p2pcamd/dev", "broker:   none (P2P off)", "talkback:",
			"STREAM", "standard  idle", "high", "running", "640x360",
			"VIEWERS: 1 of at most 4", "WHO", "127.0.0.1:", "lan", "-", "live", "high"}, ""},
		{"json", []string{"status", "--lan", open, "--json"}, []string{`"board": "sim"`, `"transport": "lan"`, `"quality": "high"`}, ""},
		{"no token", []string{"status", "--lan", authed}, nil, "401"},
		{"a viewer's token", []string{"status", "--lan", authed, "--token", token(auth.PermLive)}, nil, "does not allow command"},
		{"an operator's token", []string{"status", "--lan", authed, "--token", token(auth.PermCommand)}, []string{"acme/cam1: board sim", "VIEWERS: 0 of at most 4"}, ""},
		{"bad URL", []string{"status", "--lan", "127.0.0.1:8080"}, nil, "want http://HOST:PORT"},
		{"two cameras", []string{"status", "acme/cam1", "acme/cam2"}, nil, "at most one camera"},
		{"no camera", []string{"status", "--user", "alice", "--token", "t"}, nil, "which camera?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out strings.Builder
			var err error
			deadline := time.Now().Add(15 * time.Second)
			for {
				out.Reset()
				err = run(context.Background(), tt.args, &out, io.Discard)
				// The viewer's stream may take a moment to run.
				if tt.name != "tables" || strings.Contains(out.String(), "running") || time.Now().After(deadline) {
					break
				}
				time.Sleep(200 * time.Millisecond) // polling a condition, bounded by the deadline
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			rest := out.String()
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("output lacks %q (in order):\n%s", w, out.String())
				}
				rest = rest[i+len(w):]
			}
			if tt.name == "json" {
				if _, err := protocol.DecodeReport([]byte(out.String())); err != nil {
					t.Errorf("--json output: %v", err)
				}
			}
		})
	}
}

func TestStatusFormats(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tt := range []struct{ got, want string }{
		{bitrate(0), "0 bit/s"},
		{bitrate(812_345), "812 kbit/s"},
		{bitrate(2_500_000), "2.5 Mbit/s"},
		{size(512), "512 B"},
		{size(1536), "1.5 KiB"},
		{size(3 << 20), "3.0 MiB"},
		{ago(now, now.Add(-5*time.Second)), "5s"},
		{ago(now, now.Add(-90*time.Minute)), "1h30m"},
		{ago(now, now.Add(time.Second)), "0s"},
		{when(now, time.Time{}), "-"},
		{fmt.Sprint(strings.HasSuffix(when(now, now.Add(-time.Minute)), "(1m ago)")), "true"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
