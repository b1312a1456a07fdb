// Package gateway re-serves a camera reached over P2P as local HTTP, in the
// camera's own LAN-mode form: GET /ipc.flv?... streams FLV and
// GET /command?... answers JSON, so VLC, ffplay or any FLV player can watch
// it, as a vendor app SDK hands its player a local URL.
package gateway

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/p2pcam/p2pcam/link"
	"github.com/p2pcam/p2pcam/media"
	"github.com/p2pcam/p2pcam/protocol"
	"github.com/p2pcam/p2pcam/viewer"
	"github.com/p2pcam/p2pcam/viewer/liveedge"
)

// Dialer opens a P2P session with the camera.
type Dialer func(ctx context.Context) (*viewer.Conn, error)

// Gateway is an http.Handler that forwards requests to one camera over a
// shared P2P session, dialled on first use and again after it drops.
type Gateway struct {
	// MaxLag keeps live streams this close to live by dropping late
	// frames up to the next keyframe (package liveedge); 0 passes every
	// frame however late. New sets liveedge.DefaultMaxLag.
	MaxLag time.Duration

	dial Dialer
	log  *slog.Logger

	mu   sync.Mutex // guards conn
	conn *viewer.Conn
}

// New returns a gateway that reaches the camera with dial.
func New(dial Dialer, log *slog.Logger) *Gateway {
	if log == nil {
		log = slog.Default()
	}
	return &Gateway{MaxLag: liveedge.DefaultMaxLag, dial: dial, log: log}
}

// session returns the live session, dialling one if needed.
func (g *Gateway) session(ctx context.Context) (*viewer.Conn, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.conn != nil {
		select {
		case <-g.conn.Done():
			g.conn.Close()
			g.conn = nil
		default:
			return g.conn, nil
		}
	}
	c, err := g.dial(ctx)
	if err != nil {
		return nil, err
	}
	g.conn = c
	return c, nil
}

// Warm dials the camera now, so that the first request finds a session
// ready instead of waiting for ICE and DTLS. A failure is logged; the
// next request dials again.
func (g *Gateway) Warm(ctx context.Context) {
	if _, err := g.session(ctx); err != nil && ctx.Err() == nil {
		g.log.Warn("cannot reach the camera yet", "err", err)
	}
}

// Close ends the session.
func (g *Gateway) Close() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.conn != nil {
		g.conn.Close()
		g.conn = nil
	}
}

// ServeHTTP forwards one request. Each is logged at info level when it
// ends: who asked (the remote address), the request, the quality served,
// when it started, how long it ran, the bytes it carried and why it
// ended; a live stream is logged when it starts, too.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		http.Error(w, "GET only", http.StatusMethodNotAllowed)
		return
	}
	switch r.URL.Path {
	case "/ipc.flv", "/command":
	default:
		http.Error(w, "want /ipc.flv?... or /command?...", http.StatusNotFound)
		return
	}
	line := r.URL.Path[1:] + "?" + r.URL.RawQuery
	v := &viewerLog{log: g.log.With("viewer", r.RemoteAddr, "request", line), start: time.Now()}
	if req, err := protocol.Parse(line); err == nil {
		v.quality, v.live = req.Quality, req.Kind == protocol.KindLive
	}
	defer v.end()
	conn, err := g.session(r.Context())
	if err != nil {
		g.log.Warn("cannot reach the camera", "err", err)
		v.reason = "cannot reach the camera: " + err.Error()
		http.Error(w, "cannot reach the camera: "+err.Error(), http.StatusBadGateway)
		return
	}
	resp, err := conn.Request(r.Context(), line)
	if err == nil && v.live {
		resp, err = viewer.FollowRelay(r.Context(), resp, conn.Token())
		if err == nil && resp.Head.Location != "" {
			v.log.Info("the camera sent this viewer to its relay", "relay", resp.Head.Location)
		}
	}
	if err != nil {
		v.reason = "request failed: " + err.Error()
		http.Error(w, "request failed: "+err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	v.status = resp.Status
	if resp.Head.ContentType != "" {
		w.Header().Set("Content-Type", resp.Head.ContentType)
	}
	if resp.Head.Quality != "" {
		w.Header().Set("X-P2pcam-Quality", string(resp.Head.Quality))
		v.quality = resp.Head.Quality
	}
	w.Header().Set("Cache-Control", "no-store")
	resp.Status.SetHTTPHeaders(w.Header())
	w.WriteHeader(resp.Status.HTTP())
	if v.live && resp.Status == protocol.StatusOK {
		v.log.Info("viewer joined", "quality", v.quality)
	}
	var body io.Reader = resp.Body
	if edge := g.liveEdge(r, resp); edge != nil {
		body = edge
		defer func() {
			if st := edge.Stats(); st.Skips > 0 {
				g.log.Info("kept the stream near live", "request", line, "skips", st.Skips, "dropped", st.Dropped, "rebases", st.Rebases)
			}
		}()
	}
	rc := http.NewResponseController(w)
	buf := make([]byte, 32<<10)
	for {
		n, err := body.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				v.reason = "the viewer went away"
				return
			}
			v.bytes += int64(n)
			_ = rc.Flush()
		}
		if err != nil {
			switch {
			case errors.Is(err, io.EOF) && v.status != protocol.StatusOK:
				v.reason = fmt.Sprintf("the camera refused (status %d)", v.status)
			case errors.Is(err, io.EOF) && !v.live:
				v.reason = "answered"
			case errors.Is(err, io.EOF):
				v.reason = "the camera closed the stream"
			case r.Context().Err() != nil:
				v.reason = "the viewer went away"
			case errors.Is(err, link.ErrStreamEnded):
				v.reason = err.Error()
			case closed(conn.Done()):
				v.reason = "the connection to the camera dropped"
			default:
				v.reason = err.Error()
			}
			return
		}
	}
}

// closed reports whether ch is closed.
func closed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// viewerLog is what the gateway logs of one request.
type viewerLog struct {
	log     *slog.Logger
	start   time.Time
	live    bool
	quality media.Quality
	status  protocol.Status
	bytes   int64
	reason  string
}

// end logs the request's end.
func (v *viewerLog) end() {
	msg := "request done"
	if v.live {
		msg = "viewer left"
	}
	v.log.Info(msg, "quality", v.quality, "status", int(v.status), "started", v.start.Format(time.RFC3339),
		"duration", time.Since(v.start).Round(time.Millisecond), "bytes", v.bytes, "reason", v.reason)
}

// liveEdge returns a live-edge filter for a live stream's body, or nil.
func (g *Gateway) liveEdge(r *http.Request, resp *link.Response) *liveedge.Reader {
	if g.MaxLag <= 0 || r.URL.Path != "/ipc.flv" || r.URL.Query().Get("action") != "live" || resp.Status != protocol.StatusOK {
		return nil
	}
	edge := liveedge.NewReader(resp.Body)
	edge.MaxLag = g.MaxLag
	return edge
}
