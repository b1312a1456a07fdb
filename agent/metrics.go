package agent

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/VictoriaMetrics/metrics"

	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/link"
	"github.com/p2pcam/p2pcam/protocol"
	"github.com/p2pcam/p2pcam/signal/mqttclient"
	"github.com/p2pcam/p2pcam/stream"
	"github.com/p2pcam/p2pcam/talkback"
)

// agentMetrics are the agent's Prometheus metrics, served at /metrics on
// the LAN listener. Gauges are read from the live state at each scrape;
// counters count as things happen. Each agent has its own set: no
// process-wide registry. A nil *agentMetrics counts nothing.
type agentMetrics struct {
	set   *metrics.Set
	setup *metrics.PrometheusHistogram // P2P offer to connection, seconds
}

// newMetrics registers the gauges that read a's state.
func newMetrics(a *Agent) *agentMetrics {
	m := &agentMetrics{set: metrics.NewSet()}
	gauge := func(name string, f func() int) {
		m.set.NewGauge(name, func() float64 { return float64(f()) })
	}
	gauge("p2pcam_viewers", a.viewers.count)
	gauge("p2pcam_viewers_limit", func() int { return a.cfg.MaxViewers })
	gauge("p2pcam_app_connections", a.connections)
	gauge("p2pcam_lan_streams", func() int { return int(a.lanStreams.Load()) })
	gauge(`p2pcam_p2p_sessions`, func() int {
		if srv := a.p2pSessions.Load(); srv != nil {
			return srv.Sessions()
		}
		return 0
	})
	gauge("p2pcam_talkback_active", func() int {
		if a.talk != nil && a.talk.Busy() {
			return 1
		}
		return 0
	})
	gauge("p2pcam_healthy", func() int {
		if why, _ := a.checkHealth(); why != "" {
			return 0
		}
		return 1
	})
	// Events: subscribers are the open event streams and the MQTT
	// publisher; an event queued counts once per subscriber.
	gauge("p2pcam_event_subscribers", a.events.Subscribers)
	gauge("p2pcam_events_queued_total", func() int { return int(a.events.Sent()) })
	gauge("p2pcam_events_dropped_total", func() int { return int(a.events.Dropped()) })
	if a.relay != nil {
		gauge("p2pcam_relay_pushes", func() int { n, _ := a.relay.stats(); return n })
		gauge("p2pcam_relay_players", func() int { _, n := a.relay.stats(); return n })
	}
	broker := func(f func(mqttclient.StatusSnapshot) int) func() int {
		return func() int { return f(a.broker.Snapshot()) }
	}
	if a.cfg.P2P.Enabled() {
		gauge("p2pcam_broker_connected", broker(func(s mqttclient.StatusSnapshot) int { return b2i(s.Connected) }))
		gauge("p2pcam_broker_reconnects_total", broker(mqttclient.StatusSnapshot.Reconnects))
		gauge("p2pcam_broker_connect_failures_total", broker(func(s mqttclient.StatusSnapshot) int { return s.Failures }))
		gauge("p2pcam_events_unpublished_total", func() int {
			if srv := a.p2pSessions.Load(); srv != nil {
				return int(srv.EventsLost())
			}
			return 0
		})
	}
	for _, q := range a.qualities {
		hub, meter, enc := a.hubs[q], a.meters[q], a.encoders[q]
		stat := func(f func(stream.Stats) int) func() int {
			return func() int { return f(hub.Stats()) }
		}
		label := fmt.Sprintf(`{quality=%q}`, q)
		gauge("p2pcam_stream_subscribers"+label, stat(func(s stream.Stats) int { return s.Subscribers }))
		gauge("p2pcam_stream_running"+label, stat(func(s stream.Stats) int { return b2i(s.Running) }))
		gauge("p2pcam_stream_frames_total"+label, stat(func(s stream.Stats) int { return int(s.Published) }))
		// Dropped frames, and why: the viewer's queue overflowed (it
		// took in less than the stream), or its transport skipped to
		// the next keyframe to catch up with live (lag guard).
		gauge(fmt.Sprintf(`p2pcam_stream_dropped_frames_total{quality=%q,reason="queue_full"}`, q),
			stat(func(s stream.Stats) int { return int(s.Dropped - s.Late) }))
		gauge(fmt.Sprintf(`p2pcam_stream_dropped_frames_total{quality=%q,reason="behind_live"}`, q),
			stat(func(s stream.Stats) int { return int(s.Late) }))
		gauge("p2pcam_stream_video_bytes_total"+label, func() int { return int(meter.bytes.count()) })
		gauge("p2pcam_stream_bitrate_bps"+label, func() int { return int(8 * meter.bytes.perSecond(a.cfg.Clock.Now())) })
		if enc.target() > 0 {
			gauge("p2pcam_encoder_target_bps"+label, enc.target)
		}
	}
	// Upper bounds in seconds: on a LAN a session connects in tens of
	// milliseconds, through NATs in a few hundred, through TURN in about
	// a second; a viewer that takes 15 s is dropped (p2p's setupTimeout).
	m.setup = m.set.NewPrometheusHistogramExt("p2pcam_p2p_connect_seconds", []float64{0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 15})
	return m
}

// connected counts a P2P viewer's connection: its path and the time
// from its offer.
func (m *agentMetrics) connected(p link.Path, setup time.Duration) {
	if m == nil {
		return
	}
	m.setup.Update(setup.Seconds())
	m.set.GetOrCreateCounter(fmt.Sprintf(`p2pcam_p2p_paths_total{path=%q}`, p.Kind())).Inc()
}

// bytesCounter returns the counter of the bytes a request of kind sends
// on w's transport (received, for a talker).
func (m *agentMetrics) bytesCounter(w Responder, kind protocol.Kind) *metrics.Counter {
	if m == nil {
		return nil
	}
	name := "p2pcam_sent_bytes_total"
	if kind == protocol.KindVoice {
		name = "p2pcam_received_bytes_total"
	}
	return m.set.GetOrCreateCounter(fmt.Sprintf(`%s{transport=%q,kind=%q}`, name, transportOf(w), kind))
}

// skipped counts a live viewer's skip to the next keyframe, and why.
func (m *agentMetrics) skipped(w Responder, why string) {
	if m == nil {
		return
	}
	m.set.GetOrCreateCounter(fmt.Sprintf(`p2pcam_viewer_skips_total{transport=%q,reason=%q}`, transportOf(w), why)).Inc()
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// request counts a request by transport and kind.
func (m *agentMetrics) request(w Responder, kind protocol.Kind) {
	if m == nil {
		return
	}
	m.set.GetOrCreateCounter(fmt.Sprintf(`p2pcam_requests_total{transport=%q,kind=%q}`, transportOf(w), kind)).Inc()
}

// refusal counts a refused request by status.
func (m *agentMetrics) refusal(st protocol.Status) {
	if m == nil {
		return
	}
	m.set.GetOrCreateCounter(fmt.Sprintf(`p2pcam_refusals_total{status="%d"}`, st)).Inc()
}

// talk counts what a talk played and dropped.
func (m *agentMetrics) talk(st talkback.Stats) {
	if m == nil {
		return
	}
	m.set.GetOrCreateFloatCounter("p2pcam_talkback_played_seconds_total").Add(st.Played.Seconds())
	m.set.GetOrCreateFloatCounter("p2pcam_talkback_dropped_seconds_total").Add(st.Dropped.Seconds())
	m.set.GetOrCreateCounter("p2pcam_talkback_talks_total").Inc()
}

// transportOf names the transport a responder answers on.
func transportOf(w Responder) string {
	switch w.(type) {
	case *httpResponder:
		return "lan"
	case *relayResponder:
		return "relay"
	}
	return "p2p"
}

// write writes the metrics in Prometheus text format.
func (m *agentMetrics) write(w io.Writer) { m.set.WritePrometheus(w) }

// serveMetrics answers GET /metrics; with auth on it needs a token that
// allows commands (an operator's).
func (a *Agent) serveMetrics(w http.ResponseWriter, r *http.Request) {
	if !a.operator(w, r) {
		return
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	a.metrics.write(w)
}

// serveHealthz answers GET /healthz: 200 when Healthy, 503 with the
// reason when not. It needs no token: it tells nothing but that.
func (a *Agent) serveHealthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if why, _ := a.checkHealth(); why != "" {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "unhealthy:", why)
		return
	}
	fmt.Fprintln(w, "ok")
}

// operator checks, with auth on, that the request carries a token that
// allows commands; otherwise it has answered 401 or 403.
func (a *Agent) operator(w http.ResponseWriter, r *http.Request) bool {
	token := r.URL.Query().Get("token")
	if bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		token = bearer
	}
	v, err := a.authenticate(r.RemoteAddr, token)
	if err != nil {
		writeHTTPError(w, protocol.StatusUnauthorized, err.Error())
		return false
	}
	if !v.Perms.Has(auth.PermCommand) {
		writeHTTPError(w, protocol.StatusForbidden, "your token does not allow command requests, which metrics need")
		return false
	}
	return true
}
