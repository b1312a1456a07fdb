package p2p_test

import (
	"context"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/agent/p2p"
	"github.com/p2pcam/p2pcam/protocol"
	"github.com/p2pcam/p2pcam/signal"
)

// flood is one viewer account publishing offers with a real SDP that
// never completes ICE, from conns connections at once, until ctx ends or
// max offers are out.
type flood struct {
	sent  atomic.Int64
	users []*mqttUser
	wg    sync.WaitGroup
}

func startFlood(ctx context.Context, t testing.TB, cam *camera, user string, conns int, max int64) *flood {
	f := &flood{}
	sdp := realOffer(t)
	tok := cam.tokenFor(user)
	inbox := signal.InboxTopic(user)
	for i := range conns {
		u := connectUser(t, cam.broker, user, "flood"+string(rune('a'+i)))
		f.users = append(f.users, u)
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			for ctx.Err() == nil && f.sent.Add(1) <= max {
				m := &signal.Message{Type: signal.TypeOffer, Session: sessionID(), Token: tok, SDP: sdp}
				if err := u.send(ctx, cam.device, m, inbox); err != nil && ctx.Err() == nil {
					t.Errorf("flood: %v", err)
					return
				}
			}
		}()
	}
	return f
}

// replies returns what the flooding account received, all connections
// together (each subscribes to the one inbox, so each gets every reply:
// count one connection's).
func (f *flood) replies() []*signal.Message { return f.users[0].received() }

// peak samples the camera's process (fds, RSS) and the server's pending
// sessions until stop is called.
type peak struct {
	fds     int
	rss     int64
	pending int
	stop    func()
}

func samplePeaks(t testing.TB, cam *camera) *peak {
	p := &peak{}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			fds, rss := procStat(t)
			p.fds, p.rss, p.pending = max(p.fds, fds), max(p.rss, rss), max(p.pending, cam.srv.Pending())
			select {
			case <-tick.C:
			case <-done:
				return
			}
		}
	}()
	p.stop = func() { close(done); wg.Wait() }
	return p
}

// The figures a flood may cost the camera's process, above what it used
// after one viewer had played (the test's own viewer and flood clients
// included): at most 4 sessions connecting (MaxPending's default with
// MaxSessions 8), each a peer connection with a socket or two.
const (
	floodFDs   = 40
	floodRSS   = 64 << 20 // in-process: the race detector and the embedded broker count too
	floodFor   = 6 * time.Second
	floodMax   = 3000 // offers, whichever of the two comes first
	playWithin = 5 * time.Second
)

// TestOfferFlood: one viewer with a valid token floods the camera with
// offers that never connect; another viewer still connects and plays
// within playWithin, the camera's pending sessions stay bounded, the
// abuser gets refusals, its excess sessions are dropped, and the abuse
// is logged once per interval.
func TestOfferFlood(t *testing.T) {
	for _, b := range brokers {
		t.Run(b.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			defer cancel()
			// Warm up: the figures below count the flood, not first use.
			cam := upCamera(ctx, t, b, nil, "bob", 64<<10)
			runtime.GC()
			fds0, rss0 := procStat(t)
			p := samplePeaks(t, cam)

			fctx, stop := context.WithTimeout(ctx, floodFor)
			defer stop()
			start := time.Now()
			f := startFlood(fctx, t, cam, "mallory", 2, floodMax)
			// Under way: the abuser has been refused already.
			if !f.users[0].await(10*time.Second, func(ms []*signal.Message) bool {
				return count(ms, signal.TypeError, protocol.StatusTooMany) > 0
			}) {
				t.Fatal("the flood was never refused")
			}
			for i := range 2 {
				connect, first, err := cam.play(ctx, "bob", 128<<10)
				if err != nil {
					t.Fatalf("bob during the flood (%d): %v", i, err)
				}
				t.Logf("bob during the flood: connected in %v, first bytes in %v", connect.Round(time.Millisecond), first.Round(time.Millisecond))
				if first > playWithin {
					t.Errorf("bob played after %v during the flood, want within %v", first, playWithin)
				}
			}
			<-fctx.Done()
			f.wg.Wait()
			took := time.Since(start)
			// Sessions that never connect are dropped after the handshake
			// timeout.
			deadline := time.Now().Add(p2p.DefaultHandshakeTimeout + 10*time.Second)
			for cam.srv.Pending() > 0 && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
			p.stop()
			if n := cam.srv.Pending(); n > 0 {
				t.Errorf("%d sessions still connecting %v after the flood", n, p2p.DefaultHandshakeTimeout+10*time.Second)
			}

			sent := min(f.sent.Load(), floodMax)
			got := f.replies()
			answers, refused := count(got, signal.TypeAnswer, 0), count(got, signal.TypeError, protocol.StatusTooMany)
			t.Logf("%s: %d offers in %v; %d answered, %d refused; peak pending %d; fds %d -> %d, RSS %.1f -> %.1f MiB",
				b.name, sent, took.Round(time.Millisecond), answers, refused, p.pending, fds0, p.fds, mib(rss0), mib(p.rss))
			if p.pending > 4 {
				t.Errorf("peak of %d sessions connecting, want at most 4 (MaxPending)", p.pending)
			}
			// The default rate: a burst of 4, then 1 a second.
			if limit := 4 + int(math.Ceil(took.Seconds())) + 1; answers > limit {
				t.Errorf("the abuser got %d answers in %v, want at most %d", answers, took, limit)
			}
			if p.fds-fds0 > floodFDs {
				t.Errorf("fds %d -> %d during the flood, want at most %d more", fds0, p.fds, floodFDs)
			}
			if p.rss-rss0 > floodRSS {
				t.Errorf("RSS %.1f -> %.1f MiB during the flood, want at most %.0f MiB more", mib(rss0), mib(p.rss), mib(floodRSS))
			}
			// One line per interval (10 s) for the abuser's refusals.
			if n := len(logLines(cam.logs, "refused offers")); n == 0 || n > int(took/(10*time.Second))+1 {
				t.Errorf("%d log lines of refused offers in %v, want one per 10 s", n, took)
			}
		})
	}
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }
