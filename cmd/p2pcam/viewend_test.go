package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/agent"
	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/internal/brokertest"
	"github.com/p2pcam/p2pcam/link"
)

// A camera that stops while p2pcam view watches ends view with an error
// that says so, not with the transport's "user initiated abort".
func TestViewCameraStops(t *testing.T) {
	broker := brokertest.AllowAll(t)
	pub, issuer, _ := ed25519.GenerateKey(rand.Reader)
	_, stop := startAgent(t, agent.Config{
		Device: "acme/cam1",
		Auth:   agent.AuthConfig{TrustedKeys: []string{auth.MarshalPublicKey(pub)}, DeviceKey: filepath.Join(t.TempDir(), "device.key")},
		P2P:    agent.P2PConfig{Broker: broker},
		LAN:    agent.LANConfig{Listen: "off"},
		Link:   link.Options{LoopbackOnly: true},
	})
	now := time.Now()
	tok, err := auth.Sign(issuer, auth.Claims{Device: "acme/cam1", Subject: "alice", Perms: auth.PermLive, IssuedAt: now, Expiry: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "view.flv")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var stderr strings.Builder
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"view", "--broker", broker, "--user", "alice", "--token", tok, "--device", "acme/cam1",
			"--loopback", "--quality", "standard", "-o", out}, io.Discard, &stderr)
	}()
	// Stop the camera once the viewer has video.
	for {
		if fi, err := os.Stat(out); err == nil && fi.Size() > 50_000 {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("view ended before the camera stopped: %v\n%s", err, stderr.String())
		case <-ctx.Done():
			t.Fatal("the viewer got no video")
		case <-time.After(100 * time.Millisecond): // polling the file, bounded by ctx
		}
	}
	stop()
	select {
	case err = <-done:
	case <-ctx.Done():
		t.Fatal("view did not end after the camera stopped")
	}
	t.Logf("view: %v", err)
	if err == nil || !strings.Contains(err.Error(), "the camera ended the stream") || strings.Contains(err.Error(), "abort chunk") {
		t.Errorf("view ended with %v, want \"the camera ended the stream\" and no SCTP jargon", err)
	}
}
