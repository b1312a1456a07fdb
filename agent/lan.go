package agent

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/p2pcam/p2pcam/internal/connlimit"
	"github.com/p2pcam/p2pcam/internal/cors"
	"github.com/p2pcam/p2pcam/mux/flv"
	"github.com/p2pcam/p2pcam/protocol"
)

// LAN mode limits on untrusted HTTP requests.
const (
	// lanMaxHeaderBytes bounds a request's headers, the query included:
	// protocol.MaxLength is 4 KiB, and browsers send about 1 KiB besides.
	lanMaxHeaderBytes = 8 << 10
	// lanReadHeaderTimeout drops a client that does not finish its
	// request in time (slowloris).
	lanReadHeaderTimeout = 5 * time.Second
)

// lanSendBuffer is each LAN viewer's kernel send buffer. Left to
// autotuning, Linux lets it grow to megabytes: memory a small camera does
// not have, and seconds of video queued where a stalled viewer hides.
// 256 KiB is half a second of a 4 Mbps stream and still fills a 100 Mbps
// LAN link at 20 ms round trip.
const lanSendBuffer = 256 << 10

// sendBufferListener sets every accepted connection's send buffer.
type sendBufferListener struct{ *net.TCPListener }

func (l sendBufferListener) Accept() (net.Conn, error) {
	c, err := l.AcceptTCP()
	if err != nil {
		return nil, err
	}
	_ = c.SetWriteBuffer(lanSendBuffer)
	return c, nil
}

// lanServer returns the LAN mode HTTP server, serving what limit admits.
// Requests' contexts derive from ctx, so cancelling it ends every stream.
func (a *Agent) lanServer(ctx context.Context, limit *connlimit.Listener) *http.Server {
	mux := http.NewServeMux()
	for _, path := range []string{"/ipc.flv", "/command", "/voice"} {
		mux.HandleFunc(path, a.serveHTTP)
	}
	mux.HandleFunc("/{$}", a.serveIndex)
	mux.HandleFunc("/metrics", a.serveMetrics)
	mux.HandleFunc("/healthz", a.serveHealthz)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeHTTPError(w, protocol.StatusBadRequest, fmt.Sprintf("no such request %q: want /ipc.flv or /command", r.URL.Path))
	})
	// Validated in Config.withDefaults.
	policy, _ := cors.New(a.cfg.LAN.AllowedOrigins)
	return &http.Server{
		Handler:           policy.Wrap(mux),
		ReadHeaderTimeout: lanReadHeaderTimeout,
		// Streams outlive both: the live pump and httpResponder move the
		// write deadline on with every write, and nothing bounds reading
		// a talker's body.
		WriteTimeout:   a.cfg.LAN.WriteTimeout,
		IdleTimeout:    a.cfg.LAN.IdleTimeout,
		MaxHeaderBytes: lanMaxHeaderBytes,
		BaseContext:    func(net.Listener) context.Context { return ctx },
		ConnState:      func(c net.Conn, s http.ConnState) { limit.ConnState(unwrapPlain(c), s) },
		ErrorLog:       slog.NewLogLogger(a.log.Handler(), slog.LevelDebug),
	}
}

// lanListener returns what the LAN server accepts from: tcp with each
// connection's send buffer set, capped in total and per client address
// (the limiter, which lanServer must be given), and TLS handshakes
// answered at once.
func (a *Agent) lanListener(tcp *net.TCPListener) (net.Listener, *connlimit.Listener) {
	limit := connlimit.New(sendBufferListener{tcp}, connlimit.Config{
		MaxConns:   a.cfg.LAN.MaxConns,
		MaxPerAddr: a.cfg.LAN.MaxConnsPerAddress,
		Logger:     a.log.With("mode", "lan"),
		Clock:      a.cfg.Clock,
	})
	return plainListener{limit}, limit
}

func (a *Agent) serveHTTP(w http.ResponseWriter, r *http.Request) {
	voice := r.URL.Path == "/voice"
	if r.Method != http.MethodGet && !(voice && r.Method == http.MethodPost) {
		writeHTTPError(w, protocol.StatusBadRequest, "LAN mode takes GET requests, and POST for /voice")
		return
	}
	rawQuery := r.URL.RawQuery
	var token string
	session := r.Header.Get(protocol.SessionHeader)
	if query := r.URL.Query(); query.Has("token") || query.Has(protocol.SessionParam) {
		token = query.Get("token")
		if query.Has(protocol.SessionParam) {
			session = query.Get(protocol.SessionParam)
		}
		query.Del("token")
		query.Del(protocol.SessionParam)
		rawQuery = query.Encode()
	}
	if bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		token = bearer
	}
	v, err := a.authenticate(r.RemoteAddr, token)
	if err != nil {
		a.log.Info("refused LAN viewer", "viewer", r.RemoteAddr, "err", err)
		writeHTTPError(w, protocol.StatusUnauthorized, err.Error())
		return
	}
	if r.URL.Path != "/command" {
		a.lanStreams.Add(1)
		defer a.lanStreams.Add(-1)
	}
	line := r.URL.Path + "?" + rawQuery
	hr := &httpResponder{w: w, rc: http.NewResponseController(w), now: a.cfg.Clock.Now, timeout: a.cfg.LAN.WriteTimeout}
	// A playback starts a session of its own, named in its answer; the
	// playback_* commands that name it steer it.
	if r.URL.Path == "/ipc.flv" && r.URL.Query().Get("action") == "playback" {
		hr.session = protocol.NewSessionID()
		v.Session = hr.session
	} else if session != "" {
		if v.Session, err = protocol.ParseSessionID(session); err != nil {
			var perr *protocol.Error
			errors.As(err, &perr)
			writeHTTPError(w, perr.Status, perr.Msg)
			return
		}
	}
	if talksFLV(r, line) {
		// The viewer keeps talking after the answer's head.
		_ = hr.rc.EnableFullDuplex()
		body, err := voiceBody(r.Body)
		if err != nil {
			a.log.Info("refused LAN talker", "viewer", r.RemoteAddr, "err", err)
			writeHTTPError(w, protocol.StatusBadRequest, err.Error())
			return
		}
		hr.body = body
	}
	a.Handle(r.Context(), v, line, hr)
}

func (a *Agent) serveIndex(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "p2pcamd (board %s): LAN mode\n\n", a.board.Name)
	for _, q := range a.qualities {
		fmt.Fprintf(w, "ffplay 'http://%s/ipc.flv?action=live&channel=0&quality=%s'\n", r.Host, q)
	}
	fmt.Fprintf(w, "curl 'http://%s/command?action=inner_define&channel=0&cmd=get_device_st&type=live'\n", r.Host)
	fmt.Fprintf(w, "curl 'http://%s/%s'   (who watches, the streams, talkback, the broker; p2pcam status --lan)\n", r.Host, protocol.StatusRequest)
	if a.ptz != nil {
		fmt.Fprintf(w, "curl 'http://%s/command?action=user_define&channel=0&cmd=ptz_left'   (the pan-tilt head: ptz_up_press, ptz_release_pre, ptz_get_position, ...; docs/protocol.md)\n", r.Host)
	}
	for _, name := range slices.Sorted(maps.Keys(a.cfg.Commands)) {
		fmt.Fprintf(w, "curl 'http://%s/command?action=user_define&channel=0&cmd=%s'   (custom command)\n", r.Host, url.QueryEscape(name))
	}
	fmt.Fprintf(w, "curl 'http://%s/metrics'   (Prometheus; a token with the command permission when auth is on)\n", r.Host)
	fmt.Fprintf(w, "curl 'http://%s/healthz'\n", r.Host)
}

// httpResponder answers a request as an HTTP response. Protocol statuses
// are sent as HTTP statuses (0 as 200). Each write must be done within
// timeout, however long the response lasts: a talker's answer is written
// when the talk ends.
type httpResponder struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	body    io.Reader // the POST body of a voice request
	session string    // a playback's session, sent in its answer's head
	now     func() time.Time
	timeout time.Duration
}

// renew gives the next write timeout to complete.
func (h *httpResponder) renew() { _ = h.rc.SetWriteDeadline(h.now().Add(h.timeout)) }

// Upload returns the request body of a voice request.
func (h *httpResponder) Upload() io.Reader {
	if h.body == nil {
		return eofReader{}
	}
	return h.body
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

func (h *httpResponder) WriteHead(st protocol.Status, head protocol.Head) error {
	hd := h.w.Header()
	hd.Set("Content-Type", head.ContentType)
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	if head.Quality != "" {
		hd.Set("X-P2pcam-Quality", string(head.Quality))
	}
	if h.session != "" && st == protocol.StatusOK {
		hd.Set(protocol.SessionHeader, h.session)
	}
	st.SetHTTPHeaders(hd)
	h.renew()
	h.w.WriteHeader(st.HTTP())
	return nil
}

func (h *httpResponder) Write(p []byte) (int, error) {
	h.renew()
	return h.w.Write(p)
}

func (h *httpResponder) Flush() error {
	h.renew()
	return h.rc.Flush()
}

func (h *httpResponder) SetWriteDeadline(t time.Time) error { return h.rc.SetWriteDeadline(t) }

// Backlog is 0: the kernel's send buffer, bounded by lanSendBuffer, is
// the backlog, and the write deadline catches a viewer stuck behind it.
func (h *httpResponder) Backlog() int { return 0 }

// talksFLV reports whether r is a talker's POST of FLV audio: a voice
// request that Handle will serve from the body (not one it refuses, such
// as voice over a track, which LAN mode does not have).
func talksFLV(r *http.Request, line string) bool {
	if r.Method != http.MethodPost {
		return false
	}
	req, err := protocol.Parse(line)
	return err == nil && req.Kind == protocol.KindVoice && req.Transport != protocol.TransportTrack
}

// voiceHeaderWait is how long a talker's POST may take to start its
// body before the camera answers anyway: some talkers wait for the
// answer (is the speaker free?) before they send a byte.
const voiceHeaderWait = time.Second

// voiceBody checks that a talker's POST body starts with an FLV header,
// so that a wrong body gets an error status rather than a 200 and
// silence. A talker that sends nothing for voiceHeaderWait is answered
// first and checked when its body comes: the returned reader then fails
// with the reason. It returns the body, header included.
func voiceBody(body io.Reader) (io.Reader, error) {
	br := bufio.NewReader(body)
	checked := make(chan error, 1)
	go func() {
		b, err := br.Peek(flv.HeaderSize)
		if err != nil {
			err = fmt.Errorf("voice: the body ended before an FLV header (%v): POST FLV audio, AAC-LC or G.711", err)
		} else if _, _, err = flv.ParseHeader(b); err != nil {
			err = fmt.Errorf("voice: the body is not FLV: %v: POST FLV audio, AAC-LC or G.711", err)
		}
		checked <- err
	}()
	t := time.NewTimer(voiceHeaderWait)
	defer t.Stop()
	select {
	case err := <-checked:
		if err != nil {
			return nil, err
		}
		return br, nil
	case <-t.C:
		return &checkedBody{r: br, checked: checked}, nil
	}
}

// checkedBody reads a body whose header check was still pending when
// the camera answered.
type checkedBody struct {
	r       io.Reader
	checked <-chan error
	err     error
	done    bool
}

func (c *checkedBody) Read(p []byte) (int, error) {
	if !c.done {
		c.err, c.done = <-c.checked, true
	}
	if c.err != nil {
		return 0, c.err
	}
	return c.r.Read(p)
}

// writeHTTPError answers a request that never reached the router.
func writeHTTPError(w http.ResponseWriter, st protocol.Status, msg string) {
	w.Header().Set("Content-Type", "application/json")
	st.SetHTTPHeaders(w.Header())
	w.WriteHeader(st.HTTP())
	_ = json.NewEncoder(w).Encode(errorBody{Status: strconv.Itoa(int(st)), Error: msg})
}
