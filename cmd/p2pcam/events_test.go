package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/agent"
	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/event"
	"github.com/p2pcam/p2pcam/internal/brokertest"
	"github.com/p2pcam/p2pcam/link"
)

// syncBuffer is a strings.Builder safe for a writer and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// p2pcam events --lan prints the camera's events, one line each, or
// their JSON; it needs a token with live when auth is on.
func TestEventsLAN(t *testing.T) {
	t.Setenv("P2PCAM_DEVICE", "")
	t.Setenv("P2PCAM_TOKEN", "")
	_, issuer, _ := ed25519.GenerateKey(rand.Reader)
	token := func(p auth.Permission) string { return opsToken(t, issuer, p) }
	base := startLANCamera(t, issuer)
	trigger := func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, base+"/command?action=user_define&cmd=trigger_event&type=doorbell&who=the+postman", nil)
		req.Header.Set("Authorization", "Bearer "+token(auth.PermCommand))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body) //nolint:errcheck // the status is what counts
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("trigger_event: %s", resp.Status)
		}
	}
	tests := []struct {
		name    string
		args    []string
		want    string // a line of the output
		wantErr string
	}{
		{"lines", []string{"events", "--lan", base, "--count", "1", "--token", token(auth.PermLive)}, ` doorbell ch0 who="the postman"`, ""},
		{"json", []string{"events", "--lan", base, "--count", "1", "--json", "--token", token(auth.PermLive)}, `"type":"doorbell"`, ""},
		{"no token", []string{"events", "--lan", base}, "", "401"},
		{"no live", []string{"events", "--lan", base, "--token", token(auth.PermCommand)}, "", "403"},
		{"lan and mqtt", []string{"events", "--lan", base, "--mqtt"}, "", "exclude each other"},
		{"no camera", []string{"events", "--user", "alice", "--token", "t"}, "", "which camera?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			var out syncBuffer
			done := make(chan error, 1)
			go func() { done <- run(ctx, tt.args, &out, io.Discard) }()
			var err error
			tick := time.NewTicker(100 * time.Millisecond)
			defer tick.Stop()
		wait:
			for {
				select {
				case err = <-done:
					break wait
				case <-tick.C:
					if tt.wantErr == "" {
						trigger(t) // until the stream is open and one arrives
					}
				case <-ctx.Done():
					t.Fatal("p2pcam events did not end within 30s")
				}
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
			if got := out.String(); !strings.Contains(got, tt.want) || strings.Count(got, "\n") != 1 {
				t.Fatalf("output %q, want one line with %q", got, tt.want)
			}
		})
	}
}

// printEvent's lines: plain words as they are, anything else as JSON,
// so that a maker's data cannot write control characters to a terminal.
func TestPrintEvent(t *testing.T) {
	at := time.Date(2026, 12, 6, 10, 0, 0, 123e6, time.UTC)
	tests := []struct {
		data string
		want string
	}{
		{``, "2026-12-06T10:00:00.123Z input ch0\n"},
		{`{"name":"doorbell","active":true}`, "2026-12-06T10:00:00.123Z input ch0 active=true name=doorbell\n"},
		{`{"who":"a b"}`, "2026-12-06T10:00:00.123Z input ch0 who=\"a b\"\n"},
		{`{"x":"\u001b[31m"}`, "2026-12-06T10:00:00.123Z input ch0 x=\"\\u001b[31m\"\n"},
		{`{"n":{"a":1}}`, "2026-12-06T10:00:00.123Z input ch0 n={\"a\":1}\n"},
	}
	for _, tt := range tests {
		var b strings.Builder
		e := event.Event{Type: event.TypeInput, Time: at}
		if tt.data != "" {
			e.Data = []byte(tt.data)
		}
		if err := printEvent(&b, e, false); err != nil {
			t.Fatal(err)
		}
		if b.String() != tt.want {
			t.Errorf("printEvent(%s) = %q, want %q", tt.data, b.String(), tt.want)
		}
	}
}

// p2pcam events over P2P, and --mqtt from the broker's events topic
// with no P2P session: both print a trigger_event.
func TestEventsP2PAndMQTT(t *testing.T) {
	t.Setenv("P2PCAM_DEVICE", "")
	t.Setenv("P2PCAM_TOKEN", "")
	broker := brokertest.AllowAll(t)
	pub, issuer, _ := ed25519.GenerateKey(rand.Reader)
	a, _ := startAgent(t, agent.Config{
		Device: "acme/cam1",
		Auth:   agent.AuthConfig{TrustedKeys: []string{auth.MarshalPublicKey(pub)}, DeviceKey: filepath.Join(t.TempDir(), "device.key")},
		P2P:    agent.P2PConfig{Broker: broker},
		LAN:    agent.LANConfig{Listen: "127.0.0.1:0"},
		Link:   link.Options{LoopbackOnly: true},
	})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	lan := a.LANAddr(ctx)
	if lan == nil {
		t.Fatal("no LAN listener")
	}
	tok := opsToken(t, issuer, auth.PermLive|auth.PermCommand)
	runs := map[string][]string{
		"p2p":  {"events", "acme/cam1", "--broker", broker, "--user", "ops", "--token", tok, "--loopback", "--count", "1"},
		"mqtt": {"events", "acme/cam1", "--mqtt", "--broker", broker, "--user", "ops", "--count", "1", "--json"},
	}
	outs := map[string]*syncBuffer{}
	done := make(chan error, len(runs))
	for name, args := range runs {
		out := &syncBuffer{}
		outs[name] = out
		go func() {
			for { // the camera registers shortly after it starts
				err := run(ctx, args, out, io.Discard)
				if err == nil || !strings.Contains(err.Error(), "offline") || ctx.Err() != nil {
					done <- err
					return
				}
				time.Sleep(100 * time.Millisecond) // bounded by ctx
			}
		}()
	}
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for n := 0; n < len(runs); {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			n++
		case <-tick.C: // until both streams are open and have one
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+lan.String()+"/command?action=user_define&cmd=trigger_event&type=doorbell", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
			}
		case <-ctx.Done():
			t.Fatalf("p2pcam events did not get an event within 60s: p2p %q, mqtt %q", outs["p2p"].String(), outs["mqtt"].String())
		}
	}
	if got := outs["p2p"].String(); !strings.Contains(got, " doorbell ch0\n") {
		t.Errorf("over P2P: %q", got)
	}
	if got := outs["mqtt"].String(); !strings.Contains(got, `"type":"doorbell"`) {
		t.Errorf("from MQTT: %q", got)
	}
}
