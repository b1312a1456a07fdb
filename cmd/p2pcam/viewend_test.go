package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/agent"
	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/internal/brokertest"
	"github.com/p2pcam/p2pcam/link"
)

// A camera that stops while p2pcam view watches ends view with an error
// that says so, not with the transport's "user initiated abort": a
// camera that shuts down, and one that dies (SIGKILL: its session just
// goes silent).
func TestViewCameraStops(t *testing.T) {
	tests := []struct {
		name string
		want string
	}{
		{"shuts down", "the camera ended the stream: it closed the"}, // the stream or the connection, whichever the viewer hears of first
		{"killed", "the camera ended the stream: the connection to it dropped"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			broker := brokertest.AllowAll(t)
			pub, issuer, _ := ed25519.GenerateKey(rand.Reader)
			var stop func()
			if tt.name == "killed" {
				stop = startCameraProcess(t, broker, pub)
			} else {
				_, stop = startAgent(t, agent.Config{
					Device: "acme/cam1",
					Auth:   agent.AuthConfig{TrustedKeys: []string{auth.MarshalPublicKey(pub)}, DeviceKey: filepath.Join(t.TempDir(), "device.key")},
					P2P:    agent.P2PConfig{Broker: broker},
					LAN:    agent.LANConfig{Listen: "off"},
					Link:   link.Options{LoopbackOnly: true},
				})
			}
			err := viewUntilStopped(t, broker, issuer, stop)
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "abort chunk") {
				t.Errorf("view ended with %v, want %q and no SCTP jargon", err, tt.want)
			}
		})
	}
}

// startCameraProcess runs p2pcamd on the sim board in P2P mode, trusting
// pub, and returns what kills it.
func startCameraProcess(t *testing.T, broker string, pub ed25519.PublicKey) (kill func()) {
	_, p2pcamd := buildTools(t)
	dir := t.TempDir()
	conf := fmt.Sprintf("device = \"acme/cam1\"\n[auth]\ntrusted_keys = [%q]\ndevice_key = \"cam1.key\"\n[p2p]\nbroker = %q\n", auth.MarshalPublicKey(pub), broker)
	if err := os.WriteFile(filepath.Join(dir, "cam1.toml"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cam := exec.Command(p2pcamd, "--config", "cam1.toml", "--board", "sim", "--lan", "off")
	cam.Dir = dir
	if testing.Verbose() {
		cam.Stderr = os.Stderr
	}
	if err := cam.Start(); err != nil {
		t.Fatal(err)
	}
	kill = sync.OnceFunc(func() {
		_ = cam.Process.Kill()
		_ = cam.Wait()
	})
	t.Cleanup(kill)
	return kill
}

// viewUntilStopped runs p2pcam view against acme/cam1 until it has video,
// calls stop, and returns view's error.
func viewUntilStopped(t *testing.T, broker string, issuer ed25519.PrivateKey, stop func()) error {
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
		// The camera registers shortly after it starts: until then view
		// finds it offline.
		for {
			err := run(ctx, []string{"view", "--broker", broker, "--user", "alice", "--token", tok, "--device", "acme/cam1",
				"--loopback", "--quality", "standard", "-o", out}, io.Discard, &stderr)
			if err == nil || !strings.Contains(err.Error(), "offline") || ctx.Err() != nil {
				done <- err
				return
			}
			time.Sleep(100 * time.Millisecond) // bounded by ctx
		}
	}()
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
	return err
}
