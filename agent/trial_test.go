package agent

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/internal/brokertest"
)

func TestCheckTrial(t *testing.T) {
	key := base64.StdEncoding.EncodeToString(ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)).Public().(ed25519.PublicKey))
	closedPort := func(t *testing.T) string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		return "mqtt://" + addr
	}
	tests := []struct {
		name    string
		streams map[string]string
		broker  func(t *testing.T) string // "" : P2P off
		timeout time.Duration
		want    string // "" : passes
	}{
		{"sim streams, LAN only", nil, nil, 60 * time.Second, ""},
		{"a stream that makes nothing", map[string]string{"standard": "", "super": "", "high": "exec:sleep 600"}, nil, 3 * time.Second, "stream high made no video frame"},
		{"embedded broker connected", nil, func(t *testing.T) string { return brokertest.AllowAll(t) }, 60 * time.Second, ""},
		{"mosquitto connected", nil, func(t *testing.T) string {
			return "mqtt://" + brokertest.Mosquitto(t, []brokertest.Account{{Name: "p2pcam/sim", Password: "pw"}}, "pattern readwrite #\n")
		}, 60 * time.Second, ""},
		{"broker down", nil, closedPort, 3 * time.Second, "not connected to the broker"},
		{"connected, but its info refused", nil, func(t *testing.T) string {
			return "mqtt://" + brokertest.Mosquitto(t, []brokertest.Account{{Name: "p2pcam/sim", Password: "pw"}}, "pattern read #\n")
		}, 3 * time.Second, "not registered on the broker"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Config{
				Streams: tt.streams,
				LAN:     LANConfig{Listen: "off"},
				Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
			}
			if tt.broker != nil {
				cfg.P2P.Broker = tt.broker(t)
				cfg.P2P.Password = "pw"
				cfg.Auth.TrustedKeys = []string{key}
			}
			a, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			runCtx, stop := context.WithCancel(context.Background())
			ran := make(chan error, 1)
			go func() { ran <- a.Run(runCtx) }()
			defer func() {
				stop()
				select {
				case <-ran:
				case <-time.After(30 * time.Second):
					t.Error("Run did not end")
				}
			}()
			ctx, cancel := context.WithTimeout(context.Background(), tt.timeout)
			defer cancel()
			start := time.Now()
			err = a.CheckTrial(ctx)
			t.Logf("CheckTrial: %v after %v", err, time.Since(start).Round(time.Millisecond))
			if tt.want == "" && err != nil {
				t.Fatalf("CheckTrial = %v, want nil", err)
			}
			if tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("CheckTrial = %v, want an error saying %q", err, tt.want)
			}
		})
	}
}
