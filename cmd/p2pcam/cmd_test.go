package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/agent"
	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/internal/brokertest"
	"github.com/p2pcam/p2pcam/link"
)

// p2pcam cmd sends any command as given: PTZ in both forms (the JSON form
// typed as is), a custom command, and one the camera does not know.
func TestCmdSendsAnyCommand(t *testing.T) {
	t.Setenv("P2PCAM_DEVICE", "")
	broker := brokertest.AllowAll(t)
	pub, issuer, _ := ed25519.GenerateKey(rand.Reader)
	startAgent(t, agent.Config{
		Device:   "acme/cam1",
		Auth:     agent.AuthConfig{TrustedKeys: []string{auth.MarshalPublicKey(pub)}, DeviceKey: filepath.Join(t.TempDir(), "device.key")},
		P2P:      agent.P2PConfig{Broker: broker},
		LAN:      agent.LANConfig{Listen: "off"},
		Link:     link.Options{LoopbackOnly: true},
		Commands: map[string]agent.CommandConfig{"hello": {Program: "/bin/echo", Args: []string{`{"hello":"world"}`}}},
	})
	now := time.Now()
	tok, err := auth.Sign(issuer, auth.Claims{Device: "acme/cam1", Subject: "alice", Perms: auth.PermCommand, IssuedAt: now, Expiry: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := func(command string) (string, error) {
		var out, errs strings.Builder
		err := runOnline(ctx, []string{"cmd", "--broker", broker, "--user", "alice", "--token", tok, "--device", "acme/cam1", "--loopback", command}, &out, &errs)
		return out.String(), err
	}
	tests := []struct {
		command, want, err string
	}{
		{`action=user_define&channel=0&cmd={"topic":"ptz","data":{"cmd":"ptz_right_press"}}`, `{"status":"0"}`, ""},
		{`action=user_define&channel=0&cmd={"topic":"ptz","data":{"cmd":"ptz_release_pre"}}`, `{"status":"0"}`, ""},
		{`action=user_define&channel=0&cmd=ptz_get_position`, `"moving":false`, ""},
		{`action=user_define&channel=0&cmd=hello`, `{"hello":"world","status":"0"}`, ""},
		{`action=user_define&channel=0&cmd=launch`, `"status":"406"`, "status 406"},
	}
	for _, tt := range tests {
		out, err := cmd(tt.command)
		if !strings.Contains(out, tt.want) || (tt.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("p2pcam cmd %q = %q, %v; want %q and error %q", tt.command, out, err, tt.want, tt.err)
		}
	}
}
