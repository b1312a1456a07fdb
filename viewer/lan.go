package viewer

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/p2pcam/p2pcam/link"
	"github.com/p2pcam/p2pcam/protocol"
)

// LAN makes requests on a camera in LAN mode, over plain HTTP: the same
// request lines as a P2P session's data channels. Its zero Client is
// http.DefaultClient.
//
// Each request is a connection of its own, so a LAN keeps the session
// that the camera names in its last playback's answer
// (protocol.SessionHeader) and sends it with the requests after it: the
// playback_* commands on a LAN steer the playback it started last. Use
// one LAN per playback.
type LAN struct {
	Base   string // http://HOST:PORT
	Token  string // sent as a bearer token when not empty
	Client *http.Client

	mu      sync.Mutex // guards session
	session string
}

// Session returns the session of the playback the LAN started last, or "".
func (l *LAN) Session() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.session
}

// Request sends line as GET Base/line and returns the answer; the status
// is the camera's X-P2pcam-Status.
func (l *LAN) Request(ctx context.Context, line string) (*link.Response, error) {
	u, err := url.Parse(l.Base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("viewer: LAN address %q: want http://HOST:PORT", l.Base)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(l.Base, "/")+"/"+line, nil)
	if err != nil {
		return nil, fmt.Errorf("viewer: %w", err)
	}
	if l.Token != "" {
		req.Header.Set("Authorization", "Bearer "+l.Token)
	}
	if s := l.Session(); s != "" {
		req.Header.Set(protocol.SessionHeader, s)
	}
	c := l.Client
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("viewer: %w", err)
	}
	st := protocol.StatusOK
	if resp.StatusCode != http.StatusOK {
		st = protocol.StatusBadRequest
	}
	if n, err := strconv.Atoi(resp.Header.Get("X-P2pcam-Status")); err == nil {
		st = protocol.Status(n)
	}
	if s := resp.Header.Get(protocol.SessionHeader); s != "" && st == protocol.StatusOK {
		if s, err := protocol.ParseSessionID(s); err == nil {
			l.mu.Lock()
			l.session = s
			l.mu.Unlock()
		}
	}
	return &link.Response{Status: st, Head: protocol.Head{ContentType: resp.Header.Get("Content-Type")}, Body: resp.Body}, nil
}
