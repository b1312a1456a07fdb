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

// With trusted keys configured, LAN mode takes the same tokens as P2P:
// no token or a bad one gets 401, a token without the permission 403.
func TestLANTokens(t *testing.T) {
	pub, issuer, _ := ed25519.GenerateKey(rand.Reader)
	_, stranger, _ := ed25519.GenerateKey(rand.Reader)
	cfg := fmt.Sprintf("device = \"acme/door\"\n[auth]\ntrusted_keys = [%q]\ndevice_key = %q\n",
		auth.MarshalPublicKey(pub), filepath.Join(t.TempDir(), "device.key"))
	d := startDaemon(t, cfg)
	now := time.Now()
	token := func(key ed25519.PrivateKey, device string, perms auth.Permission) string {
		tok, err := auth.Sign(key, auth.Claims{Device: device, Subject: "bob", Perms: perms, IssuedAt: now, Expiry: now.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	const cmd = "command?action=inner_define&channel=0&cmd=get_device_st&type=live"
	tests := []struct {
		name, query, bearer string
		status              int
	}{
		{"no token", cmd, "", 401},
		{"garbage token", cmd + "&token=nonsense", "", 401},
		{"untrusted issuer", cmd + "&token=" + token(stranger, "acme/door", auth.PermAll), "", 401},
		{"another camera's token", cmd + "&token=" + token(issuer, "acme/gate", auth.PermAll), "", 401},
		{"no command permission", cmd + "&token=" + token(issuer, "acme/door", auth.PermLive), "", 403},
		{"token in the query", cmd + "&token=" + token(issuer, "acme/door", auth.PermCommand), "", 200},
		{"bearer token", cmd, token(issuer, "acme/door", auth.PermCommand), 200},
		{"no live permission", "ipc.flv?action=live&channel=0&quality=standard", token(issuer, "acme/door", auth.PermCommand), 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, d.url(tt.query), nil)
			if tt.bearer != "" {
				req.Header.Set("Authorization", "Bearer "+tt.bearer)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Errorf("status %d %q, want %d", resp.StatusCode, body, tt.status)
			}
			if tt.status == 200 && !strings.Contains(string(body), `"status":"0"`) {
				t.Errorf("body %q", body)
			}
		})
	}
}
