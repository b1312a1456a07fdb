// Package brokertest starts MQTT brokers for tests: an embedded one that
// lets every client in, for tests that are not about broker security, and
// a real mosquitto with password and ACL files.
package brokertest

import (
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/hooks/auth"

	"github.com/p2pcam/p2pcam/internal/connset"
)

// AllowAll runs an embedded broker that lets every client in on a free
// loopback port until the test ends, and returns its URL.
//
// It accepts connections itself and hands them to mochi, as cloud.Broker
// does: mochi v2.7.9's Server.Close can deadlock while a client attaches
// or leaves when it owns the listener (upstream issue #488). At the end
// it closes the listener and every connection, waits for mochi to let go
// of them, and only then closes mochi.
func AllowAll(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := mqtt.New(&mqtt.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err := srv.AddHook(new(auth.AllowHook), nil); err != nil {
		t.Fatal(err)
	}
	if err := srv.Serve(); err != nil {
		t.Fatal(err)
	}
	var conns connset.Set
	accepting := make(chan struct{})
	go func() {
		defer close(accepting)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Serve(c, func(c net.Conn) { _ = srv.EstablishConnection("test", c) })
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-accepting
		conns.CloseAll()
		if !conns.Wait(10 * time.Second) {
			t.Error("brokertest: the embedded broker still serves a connection 10 s after it was closed")
			return
		}
		_ = srv.Close()
	})
	return "mqtt://" + ln.Addr().String()
}
