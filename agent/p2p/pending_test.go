package p2p_test

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/agent/p2p"
	"github.com/p2pcam/p2pcam/protocol"
	"github.com/p2pcam/p2pcam/signal"
)

// TestPendingSessionsEnd: a subject's third session still connecting
// evicts its first, and a session with no DTLS handshake ends after
// HandshakeTimeout; each viewer is told why.
func TestPendingSessionsEnd(t *testing.T) {
	const timeout = time.Second
	for _, b := range brokers {
		t.Run(b.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			cam := upCamera(ctx, t, b, func(c *p2p.Config) { c.HandshakeTimeout = timeout }, "bob", 1)
			mallory := connectUser(t, cam.broker, "mallory", "pending")
			sdp := realOffer(t)
			ids := []string{sessionID(), sessionID(), sessionID()}
			sent := make([]time.Time, len(ids))
			for i, id := range ids {
				sent[i] = time.Now()
				if err := mallory.send(ctx, cam.device, &signal.Message{Type: signal.TypeOffer, Session: id, Token: cam.tokenFor("mallory"), SDP: sdp}, signal.InboxTopic("mallory")); err != nil {
					t.Fatal(err)
				}
			}
			ended := func(id string) *signal.Message {
				for _, m := range ofSession(mallory.received(), id) {
					if m.Type == signal.TypeError {
						return m
					}
				}
				return nil
			}
			if !mallory.await(timeout+10*time.Second, func([]*signal.Message) bool {
				return ended(ids[0]) != nil && ended(ids[1]) != nil && ended(ids[2]) != nil
			}) {
				t.Fatalf("not every session ended: %+v", mallory.received())
			}
			for i, id := range ids {
				m := ended(id)
				want := "never connected"
				if i == 0 {
					want = "dropped before it connected"
				}
				if m.Status != int(protocol.StatusTooMany) || !strings.Contains(m.Error, want) {
					t.Errorf("session %d ended with %d %q, want 405 %q", i, m.Status, m.Error, want)
				}
			}
			if n := cam.srv.Pending(); n != 0 {
				t.Errorf("%d sessions still connecting", n)
			}
		})
	}
}

// TestFloodLeaksNothing: after a flood and the camera's shutdown, the
// goroutines of every session, timer and handler are gone.
func TestFloodLeaksNothing(t *testing.T) {
	broker := startCloudBroker(t)
	runtime.GC()
	before := runtime.NumGoroutine()
	cam := startCamera(t, broker, func(c *p2p.Config) { c.HandshakeTimeout, c.BrokerVouches = time.Second, true })
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, _, err := cam.play(ctx, "bob", 64<<10); err != nil {
		t.Fatal(err)
	}
	fctx, stop := context.WithTimeout(ctx, 2*time.Second)
	defer stop()
	f := startFlood(fctx, t, cam, "mallory", 1, 1000)
	<-fctx.Done()
	f.wg.Wait()
	for _, u := range f.users {
		u.c.Close()
	}
	cam.stop()
	var n int
	for range 100 {
		runtime.GC()
		if n = runtime.NumGoroutine(); n <= before+2 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	buf := make([]byte, 1<<20)
	t.Errorf("goroutines %d -> %d after the flood and the camera's end:\n%s", before, n, buf[:runtime.Stack(buf, true)])
}
