package viewer_test

import (
	"context"
	"io"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/agent"
	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/discovery"
	"github.com/p2pcam/p2pcam/internal/brokertest"
	"github.com/p2pcam/p2pcam/link"
	"github.com/p2pcam/p2pcam/media"
	"github.com/p2pcam/p2pcam/viewer"
)

// freeUDPPort returns a loopback UDP port free a moment ago.
func freeUDPPort(t *testing.T) int {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// viewer.Open with PreferLAN uses the camera's LAN mode when a probe
// finds it, and P2P when none answers.
func TestOpenPrefersLAN(t *testing.T) {
	port := freeUDPPort(t)
	r := startCameraConfig(t, brokertest.AllowAll(t), func(c *agent.Config) {
		c.LAN = agent.LANConfig{Listen: "127.0.0.1:0"}
		c.Discovery = agent.DiscoveryConfig{Listen: "127.0.0.1:" + strconv.Itoa(port)}
	})
	tok := r.token(t, auth.PermLive|auth.PermCommand)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if r.agent.LANAddr(ctx) == nil {
		t.Fatal("LAN mode did not start")
	}
	cfg := viewer.Config{
		Broker: r.broker, Username: testViewer, Password: r.viewerPassword, Device: r.device, Token: tok,
		Link: link.Options{LoopbackOnly: true}, PreferLAN: true,
	}
	for _, tc := range []struct {
		name, target, want string
	}{
		{"camera answers", "127.0.0.1:" + strconv.Itoa(port), "lan"},
		{"nobody answers", "127.0.0.1:" + strconv.Itoa(freeUDPPort(t)), "p2p"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := cfg
			cfg.Discovery = discovery.BrowseConfig{Targets: []string{tc.target}, NoBroadcast: true, Timeout: time.Second}
			var s viewer.Session
			var err error
			for range 50 { // the camera registers with the broker shortly after it starts
				if s, err = viewer.Open(ctx, cfg); err == nil || ctx.Err() != nil {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if s.Kind() != tc.want {
				t.Fatalf("Open chose %s, want %s", s.Kind(), tc.want)
			}
			body, err := viewer.Live(ctx, s, 0, media.QualityStandard)
			if err != nil {
				t.Fatal(err)
			}
			defer body.Close()
			head := make([]byte, 13)
			if _, err := io.ReadFull(body, head); err != nil || string(head[:3]) != "FLV" {
				t.Fatalf("live over %s: %q %v", s.Kind(), head, err)
			}
		})
	}
}
