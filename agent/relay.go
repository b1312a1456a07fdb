package agent

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/p2pcam/p2pcam/internal/clock"
	"github.com/p2pcam/p2pcam/media"
	"github.com/p2pcam/p2pcam/mux/rtmp"
	"github.com/p2pcam/p2pcam/protocol"
	"github.com/p2pcam/p2pcam/relay"
)

// relayStartTimeout bounds how long a viewer over the limit waits for
// the push to its quality to start (connect and publish) before it is
// refused with 405 instead.
const relayStartTimeout = 5 * time.Second

// relayHoldTimeout bounds how long a new push holds its first frames
// for the redirected viewer to reach the relay; firstPlayerPoll is how
// often it looks at the stat page meanwhile. Held longer than the
// stream's max_lag, the push skips to the next keyframe anyway.
const (
	relayHoldTimeout = 2 * time.Second
	firstPlayerPoll  = 50 * time.Millisecond
)

// relayPushes are the camera's pushes to the relay ([relay],
// docs/relay.md): at most one per quality, shared by every viewer the
// camera sent there.
type relayPushes struct {
	cfg    relay.Config
	device string
	secret []byte // signs play tickets; nil: none

	mu      sync.Mutex      // guards base and running
	base    context.Context // the agent's run context; nil before Run
	running map[media.Quality]*relayPush
	wg      sync.WaitGroup // the pushes' goroutines
}

// relayPush is one quality's push.
type relayPush struct {
	stream  string
	ready   chan struct{} // closed once publishing, or once err is set
	err     error         // why the push did not start; set before ready closes
	players atomic.Int64  // on the relay, at the last look at its stat page
	sent    atomic.Int64  // when the camera last sent a viewer here (Unix ns)
}

func newRelayPushes(cfg Config) *relayPushes {
	if !cfg.Relay.Enabled() {
		return nil
	}
	secret, _ := relay.ParseSecret(cfg.Relay.Secret) // checked by withDefaults
	return &relayPushes{cfg: cfg.Relay, device: cfg.Device, secret: secret, running: map[media.Quality]*relayPush{}}
}

// start lets pushes run, until ctx ends.
func (r *relayPushes) start(ctx context.Context) {
	r.mu.Lock()
	r.base = ctx
	r.mu.Unlock()
}

// stats returns the pushes running and their players on the relay, as
// last seen on its stat page.
func (r *relayPushes) stats() (pushes, players int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, p := range r.running {
		pushes++
		players += int(p.players.Load())
	}
	return pushes, players
}

// wait waits for every push to end (after the run context did).
func (r *relayPushes) wait() { r.wg.Wait() }

// get returns quality q's push, starting it with run when none runs.
func (r *relayPushes) get(q media.Quality, run func(ctx context.Context, p *relayPush)) (*relayPush, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.base == nil || r.base.Err() != nil {
		return nil, fmt.Errorf("the camera is not running")
	}
	if p := r.running[q]; p != nil {
		return p, nil
	}
	p := &relayPush{stream: relay.StreamName(r.device, q), ready: make(chan struct{})}
	r.running[q] = p
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		run(r.base, p)
		r.mu.Lock()
		delete(r.running, q)
		r.mu.Unlock()
	}()
	return p, nil
}

// redirectToRelay answers a live request that came over the viewer
// limit: it makes sure stream q is pushed to the relay and answers 302
// with where to play it. It returns false, having answered nothing,
// when the push cannot start: the caller refuses the viewer then.
func (a *Agent) redirectToRelay(ctx context.Context, log *slog.Logger, q media.Quality, subject string, w Responder) bool {
	if err := a.sourceReady(q); err != nil {
		return false
	}
	p, err := a.relay.get(q, func(ctx context.Context, p *relayPush) { a.runPush(ctx, q, p) })
	if err != nil {
		return false
	}
	t := time.NewTimer(relayStartTimeout)
	defer t.Stop()
	select {
	case <-p.ready:
	case <-ctx.Done():
		return false
	case <-t.C:
		log.Warn("relay push did not start in time", "stream", p.stream, "timeout", relayStartTimeout)
		return false
	}
	if p.err != nil {
		log.Warn("relay push failed: refusing the viewer", "stream", p.stream, "err", p.err)
		return false
	}
	cfg := a.relay.cfg
	playURL := cfg.PlayURLOf(p.stream)
	body := protocol.Redirect{Status: strconv.Itoa(int(protocol.StatusRedirect)), URL: playURL, HLS: cfg.HLSURLOf(p.stream),
		Reason: fmt.Sprintf("too many viewers: this camera serves %d at once; play the stream from its relay at url", a.cfg.MaxViewers)}
	p.sent.Store(a.cfg.Clock.Now().UnixNano())
	if a.relay.secret != nil {
		t := relay.Ticket{Stream: p.stream, Subject: subject, Expiry: a.cfg.Clock.Now().Add(relay.TicketTTL)}
		body.URL += "?" + t.Query(a.relay.secret)
	}
	log.Info("viewer sent to the relay", "stream", p.stream, "url", playURL, "relay_players", p.players.Load())
	a.metrics.refusal(protocol.StatusRedirect)
	a.replyHeadJSON(w, protocol.StatusRedirect, protocol.Head{ContentType: "application/json", Location: body.URL}, body)
	return true
}

// runPush publishes stream q to the relay until nobody has played it
// for IdleTimeout, the relay ends it, or ctx ends.
func (a *Agent) runPush(ctx context.Context, q media.Quality, p *relayPush) {
	cfg := a.relay.cfg
	log := a.log.With("relay_stream", p.stream)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	setup, stopSetup := context.WithTimeout(ctx, relayStartTimeout)
	conn, err := rtmp.Publish(setup, cfg.PublishURL(p.stream))
	stopSetup()
	if err != nil {
		p.err = err
		close(p.ready)
		return
	}
	defer conn.Close()
	sub, err := a.hubs[q].Subscribe()
	if err != nil {
		p.err = err
		close(p.ready)
		return
	}
	defer sub.Close()
	close(p.ready)
	log.Info("relay push started", "url", cfg.URL)
	start := a.cfg.Clock.Now()
	a.awaitFirstPlayer(ctx, p)
	go a.watchRelay(ctx, cancel, p, log)
	bytes, reason := a.pump(ctx, sub, &relayResponder{conn: conn, fw: rtmp.NewFLVWriter(conn)}, a.encoders[q], a.audio != nil, log, nil)
	log.Info("relay push stopped", "reason", reason, "bytes", bytes, "duration", a.cfg.Clock.Now().Sub(start).Round(time.Millisecond))
}

// awaitFirstPlayer waits, at most relayHoldTimeout, until the relay
// has a player of p's stream. Meanwhile the push's subscriber queues the
// stream from the hub's cached keyframe, and the push sends it when the
// redirected viewer is there: nginx-rtmp keeps no GOP, so a player that
// comes after the push sent its first keyframe waits for the next one
// (wait_key), up to a GOP later.
func (a *Agent) awaitFirstPlayer(ctx context.Context, p *relayPush) {
	cfg := a.relay.cfg
	deadline := a.cfg.Clock.Now().Add(relayHoldTimeout)
	for a.cfg.Clock.Now().Before(deadline) {
		if n, _ := relay.Players(ctx, cfg.StatURL, cfg.App(), p.stream); n > 0 {
			p.players.Store(int64(n))
			return
		}
		if clock.SleepUntil(ctx, a.cfg.Clock, a.cfg.Clock.Now().Add(firstPlayerPoll)) != nil {
			return
		}
	}
}

// watchRelay reads the relay's stat page every PollInterval and ends
// the push (stop) once it has seen no player for IdleTimeout, nor sent a
// viewer to it (who may be on the way). A stat page that cannot be read
// counts as no player (logged), so that a broken relay does not hold the
// camera's uplink.
func (a *Agent) watchRelay(ctx context.Context, stop func(), p *relayPush, log *slog.Logger) {
	cfg := a.relay.cfg
	seen := a.cfg.Clock.Now()
	var lastErr string
	for {
		if clock.SleepUntil(ctx, a.cfg.Clock, a.cfg.Clock.Now().Add(cfg.PollInterval)) != nil {
			return
		}
		n, err := relay.Players(ctx, cfg.StatURL, cfg.App(), p.stream)
		if err != nil && err.Error() != lastErr {
			log.Warn("relay stat page", "err", err)
		}
		lastErr = ""
		if err != nil {
			lastErr = err.Error()
		}
		p.players.Store(int64(n))
		now := a.cfg.Clock.Now()
		if sent := time.Unix(0, p.sent.Load()); n > 0 {
			seen = now
		} else if sent.After(seen) {
			seen = sent
		}
		if now.Sub(seen) >= cfg.IdleTimeout {
			log.Info("relay push idle: nobody plays it", "idle", now.Sub(seen).Round(time.Millisecond))
			stop()
			return
		}
	}
}

// relayResponder is the push as a Responder, so that pump feeds it as
// it feeds a viewer.
type relayResponder struct {
	conn *rtmp.Conn
	fw   *rtmp.FLVWriter
}

func (r *relayResponder) WriteHead(protocol.Status, protocol.Head) error { return nil }
func (r *relayResponder) Write(p []byte) (int, error)                    { return r.fw.Write(p) }
func (r *relayResponder) Flush() error                                   { return nil }
func (r *relayResponder) Backlog() int                                   { return 0 }
func (r *relayResponder) SetWriteDeadline(t time.Time) error             { return r.conn.SetWriteDeadline(t) }
