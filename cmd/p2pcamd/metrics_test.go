package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/auth"
)

// /metrics and /healthz tell what the camera is doing; with auth on,
// metrics need an operator's token.
func TestMetricsAndHealth(t *testing.T) {
	d := startDaemon(t, "")
	viewer := openViewer(t, d, "high")
	buf := make([]byte, 4096)
	if _, err := io.ReadFull(viewer.Body, buf); err != nil {
		t.Fatal(err)
	}
	d.get(t, "command?action=inner_define&channel=0&cmd=nope")
	code, body := d.get(t, "metrics")
	if code != 200 {
		t.Fatalf("metrics: %d %s", code, body)
	}
	for _, want := range []string{
		"p2pcam_viewers 1\n",
		"p2pcam_lan_streams 1\n",
		`p2pcam_stream_subscribers{quality="high"} 1`,
		`p2pcam_stream_running{quality="high"} 1`,
		`p2pcam_requests_total{transport="lan",kind="live"} 1`,
		`p2pcam_requests_total{transport="lan",kind="command"}`,
		`p2pcam_refusals_total{status="406"} 1`,
		"p2pcam_healthy 1\n",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}
	if code, body := d.get(t, "healthz"); code != 200 || body != "ok\n" {
		t.Errorf("healthz: %d %q", code, body)
	}
}

func TestMetricsNeedAToken(t *testing.T) {
	pub, issuer, _ := ed25519.GenerateKey(rand.Reader)
	d := startDaemon(t, fmt.Sprintf("device = \"acme/door\"\n[auth]\ntrusted_keys = [%q]\ndevice_key = %q\n",
		auth.MarshalPublicKey(pub), filepath.Join(t.TempDir(), "device.key")))
	now := time.Now()
	token := func(perms auth.Permission) string {
		tok, err := auth.Sign(issuer, auth.Claims{Device: "acme/door", Subject: "ops", Perms: perms, IssuedAt: now, Expiry: now.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	tests := []struct {
		name, query string
		code        int
	}{
		{"no token", "metrics", http.StatusUnauthorized},
		{"a viewer's token", "metrics?token=" + token(auth.PermLive), http.StatusForbidden},
		{"an operator's token", "metrics?token=" + token(auth.PermCommand), http.StatusOK},
		{"health needs none", "healthz", http.StatusOK},
	}
	for _, tt := range tests {
		if code, body := d.get(t, tt.query); code != tt.code {
			t.Errorf("%s: %d %s, want %d", tt.name, code, body, tt.code)
		}
	}
}
