package mqttclient_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/eclipse/paho.golang/paho"
	"github.com/p2pcam/p2pcam/internal/brokertest"
	"github.com/p2pcam/p2pcam/signal/mqttclient"
)

var testAccounts = []brokertest.Account{{Name: "cam", Password: "cam-pass"}, {Name: "mon", Password: "mon-pass"}}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestClient(t *testing.T) {
	url := "mqtt://" + brokertest.Mosquitto(t, testAccounts, "pattern readwrite #\n")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	t.Run("refused", func(t *testing.T) {
		start := time.Now()
		_, err := mqttclient.Connect(ctx, mqttclient.Config{URL: url, ClientID: "bad", Username: "cam", Password: "wrong", Logger: quiet()})
		if !errors.Is(err, mqttclient.ErrRefused) {
			t.Fatalf("Connect with a bad password: %v, want ErrRefused", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("refusal took %v; it should not be retried", d)
		}
	})

	t.Run("bad URL", func(t *testing.T) {
		if _, err := mqttclient.Connect(ctx, mqttclient.Config{URL: "ws://127.0.0.1:1"}); err == nil {
			t.Fatal("Connect to a ws:// URL succeeded")
		}
	})

	t.Run("publish, subscribe, close", func(t *testing.T) {
		got := make(chan *paho.Publish, 4)
		subscribed := make(chan error, 1)
		mon, err := mqttclient.Connect(ctx, mqttclient.Config{
			URL: url, ClientID: "mon", Username: "mon", Password: "mon-pass", Logger: quiet(),
			OnUp:      func(ctx context.Context, c *mqttclient.Client) { subscribed <- c.Subscribe(ctx, "cam/#") },
			OnMessage: func(p *paho.Publish) { got <- p },
		})
		if err != nil {
			t.Fatal(err)
		}
		defer mon.Close()
		if err := <-subscribed; err != nil {
			t.Fatal(err)
		}
		var status mqttclient.Status
		cam, err := mqttclient.Connect(ctx, mqttclient.Config{
			URL: url, ClientID: "cam", Username: "cam", Password: "cam-pass", Logger: quiet(), Status: &status,
			Will: &paho.WillMessage{Topic: "cam/will", Payload: []byte("gone")},
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := cam.Publish(ctx, &paho.Publish{Topic: "cam/info", Payload: []byte("hello")}); err != nil {
			t.Fatal(err)
		}
		select {
		case p := <-got:
			if p.Topic != "cam/info" || string(p.Payload) != "hello" {
				t.Fatalf("received %s %q, want cam/info \"hello\"", p.Topic, p.Payload)
			}
		case <-ctx.Done():
			t.Fatal("the message never arrived")
		}
		if st := status.Snapshot(); !st.Connected || st.Connects != 1 || st.Reconnects() != 0 || st.LastError != "" {
			t.Errorf("status while up: %+v", st)
		}
		cam.Close()
		if st := status.Snapshot(); st.Connected || st.LastError != "" {
			t.Errorf("status after a clean Close: %+v, want down with no error", st)
		}
		if err := cam.Publish(ctx, &paho.Publish{Topic: "cam/info"}); !errors.Is(err, mqttclient.ErrClosed) {
			t.Errorf("Publish after Close: %v, want ErrClosed", err)
		}
		// A clean Close sends no will. A message published after it
		// arrives after the will would have.
		end, err := mqttclient.Connect(ctx, mqttclient.Config{URL: url, ClientID: "cam2", Username: "cam", Password: "cam-pass", Logger: quiet()})
		if err != nil {
			t.Fatal(err)
		}
		defer end.Close()
		if err := end.Publish(ctx, &paho.Publish{Topic: "cam/end"}); err != nil {
			t.Fatal(err)
		}
		if p := <-got; p.Topic != "cam/end" {
			t.Errorf("after a clean Close, received %s, want cam/end (no will)", p.Topic)
		}
	})
}
