package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/agent"
	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/internal/brokertest"
	"github.com/p2pcam/p2pcam/internal/mediatest"
	"github.com/p2pcam/p2pcam/link"
)

// p2pcam view --channel N plays an NVR channel over P2P: channel 1
// serves the standard clip (320x180) as its high stream, where channel 0
// serves the high clip (640x360); a channel the camera lacks is refused
// with the channels it has.
func TestViewChannel(t *testing.T) {
	broker := brokertest.AllowAll(t)
	pub, issuer, _ := ed25519.GenerateKey(rand.Reader)
	startAgent(t, agent.Config{
		Device:   "acme/cam1",
		Auth:     agent.AuthConfig{TrustedKeys: []string{auth.MarshalPublicKey(pub)}, DeviceKey: filepath.Join(t.TempDir(), "device.key")},
		P2P:      agent.P2PConfig{Broker: broker},
		LAN:      agent.LANConfig{Listen: "off"},
		Link:     link.Options{LoopbackOnly: true},
		Channels: []agent.ChannelConfig{{Channel: 1, Streams: map[string]string{"high": "sim:standard"}}},
	})
	now := time.Now()
	tok, err := auth.Sign(issuer, auth.Claims{Device: "acme/cam1", Subject: "alice", Perms: auth.PermLive, IssuedAt: now, Expiry: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	view := func(channel string) (string, error) {
		out := filepath.Join(t.TempDir(), "ch"+channel+".flv")
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		err := runOnline(ctx, []string{"view", "--broker", broker, "--user", "alice", "--token", tok, "--device", "acme/cam1",
			"--loopback", "--channel", channel, "--quality", "high", "--duration", "3s", "-o", out}, io.Discard, io.Discard)
		return out, err
	}
	for _, tc := range []struct {
		channel string
		w, h    int
	}{{"0", 640, 360}, {"1", 320, 180}} {
		out, err := view(tc.channel)
		if err != nil && !strings.Contains(err.Error(), "deadline") {
			t.Fatalf("view --channel %s: %v", tc.channel, err)
		}
		p := mediatest.FFprobe(t, out)
		if v := p.Video(t); v.Width != tc.w || v.Height != tc.h || len(p.VideoPackets()) < 25 {
			t.Errorf("view --channel %s: video %dx%d, %d frames; want %dx%d", tc.channel, v.Width, v.Height, len(p.VideoPackets()), tc.w, tc.h)
		}
	}
	if _, err := view("7"); err == nil || !strings.Contains(err.Error(), "channel 7 does not exist: this camera serves channels 0, 1") {
		t.Errorf("view --channel 7: %v, want the camera's refusal", err)
	}
}

// runOnline runs p2pcam with args until the camera is not offline: it
// registers shortly after it starts, and until then a command finds it
// offline. ctx bounds the tries.
func runOnline(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	for {
		err := run(ctx, args, stdout, stderr)
		if err == nil || !strings.Contains(err.Error(), "offline") || ctx.Err() != nil {
			return err
		}
		time.Sleep(100 * time.Millisecond) // bounded by ctx
	}
}
