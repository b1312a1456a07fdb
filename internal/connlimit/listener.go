package connlimit

import (
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/p2pcam/p2pcam/internal/throttle"
)

// Listener is a net.Listener that admits connections within its caps.
// Give its ConnState to the http.Server, so that it knows which
// connections are idle.
type Listener struct {
	net.Listener
	cfg       Config
	lingering chan struct{} // a slot per refused connection being drained
	logEvery  throttle.Every

	mu      sync.Mutex // guards conns, perAddr, stats
	conns   map[*Conn]struct{}
	perAddr map[string]int
	stats   Stats
}

// Stats counts what a Listener did.
type Stats struct {
	Open     int   // connections open now
	Idle     int   // of which idle (may be closed to make room)
	Admitted int64 // connections accepted in all
	Evicted  int64 // idle connections closed to make room
	Refused  int64 // connections refused
}

// New returns a Listener that accepts from ln.
func New(ln net.Listener, cfg Config) *Listener {
	return &Listener{
		Listener:  ln,
		cfg:       cfg.withDefaults(),
		lingering: make(chan struct{}, maxLingering),
		conns:     make(map[*Conn]struct{}),
		perAddr:   make(map[string]int),
	}
}

// Stats returns the counts so far.
func (l *Listener) Stats() Stats {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.stats
	s.Open = len(l.conns)
	now := l.cfg.Clock.Now()
	for c := range l.conns {
		if c.idle(now, l.cfg.NewGrace) {
			s.Idle++
		}
	}
	return s
}

// Accept returns the next connection within the caps. Connections over
// them are refused or make room here, and never returned.
func (l *Listener) Accept() (net.Conn, error) {
	for {
		nc, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if c := l.admit(nc); c != nil {
			return c, nil
		}
	}
}

// admit tracks nc, closing an idle connection to make room if it must;
// it returns nil when nc was refused.
func (l *Listener) admit(nc net.Conn) *Conn {
	key := throttle.AddrKey(nc.RemoteAddr().String())
	now := l.cfg.Clock.Now()
	l.mu.Lock()
	var victim *Conn
	var refusal error
	switch {
	case l.perAddr[key] >= l.cfg.MaxPerAddr:
		if victim = l.idlest(now, key); victim == nil {
			refusal = ErrAddrFull
		}
	case len(l.conns) >= l.cfg.MaxConns:
		if victim = l.idlest(now, ""); victim == nil {
			victim = l.silentOfHeaviest(key)
		}
		if victim == nil {
			refusal = ErrFull
		}
	}
	var c *Conn
	if refusal != nil {
		l.stats.Refused++
	} else {
		if victim != nil {
			l.forget(victim)
			l.stats.Evicted++
		}
		c = &Conn{Conn: nc, l: l, key: key, seq: l.stats.Admitted, state: http.StateNew, since: now}
		l.conns[c] = struct{}{}
		l.perAddr[key]++
		l.stats.Admitted++
	}
	stats := l.stats
	l.mu.Unlock()
	if victim != nil {
		_ = victim.Conn.Close()
	}
	if refusal != nil {
		l.refuse(nc)
		if n, ok := l.logEvery.Tick(now); ok {
			l.cfg.Logger.Warn("connection refused", "remote", nc.RemoteAddr().String(), "reason", refusal,
				"refused_since_last_log", n, "refused", stats.Refused, "evicted", stats.Evicted,
				"max_conns", l.cfg.MaxConns, "max_per_addr", l.cfg.MaxPerAddr)
		}
	}
	return c
}

// idlest returns the connection idle longest, of address key or of any
// address when key is "", or nil if none is idle. l.mu is held.
func (l *Listener) idlest(now time.Time, key string) *Conn {
	var best *Conn
	for c := range l.conns {
		if key != "" && c.key != key || !c.idle(now, l.cfg.NewGrace) {
			continue
		}
		if best == nil || c.before(best) {
			best = c
		}
	}
	return best
}

// silentOfHeaviest returns, when the address holding the most
// connections holds more than one more than key does, its connection
// silent longest (one that has not started a request, within its grace
// or not), or nil. A flood of fresh connections from a few addresses so
// gives way to a client from another. l.mu is held.
func (l *Listener) silentOfHeaviest(key string) *Conn {
	heaviest, most := "", 0
	for k, n := range l.perAddr {
		if n > most {
			heaviest, most = k, n
		}
	}
	if heaviest == key || most <= l.perAddr[key]+1 {
		return nil
	}
	var best *Conn
	for c := range l.conns {
		if c.key == heaviest && c.state == http.StateNew && (best == nil || c.before(best)) {
			best = c
		}
	}
	return best
}

// forget stops counting c. l.mu is held.
func (l *Listener) forget(c *Conn) {
	if _, ok := l.conns[c]; !ok {
		return
	}
	delete(l.conns, c)
	if l.perAddr[c.key]--; l.perAddr[c.key] <= 0 {
		delete(l.perAddr, c.key)
	}
}

// refuse writes the refusal and closes nc. A few at a time are drained
// for up to refuseLinger first, so that the client reads the refusal
// rather than a reset (closing a socket with unread data resets it);
// under a flood the rest are closed at once.
func (l *Listener) refuse(nc net.Conn) {
	select {
	case l.lingering <- struct{}{}:
	default:
		_ = nc.Close()
		return
	}
	go func() {
		defer func() { <-l.lingering }()
		_ = nc.SetDeadline(time.Now().Add(refuseLinger))
		if _, err := io.WriteString(nc, l.cfg.Refusal); err == nil {
			if cw, ok := nc.(interface{ CloseWrite() error }); ok {
				_ = cw.CloseWrite()
			}
			_, _ = io.Copy(io.Discard, io.LimitReader(nc, drainBytes))
		}
		_ = nc.Close()
	}()
}

// ConnState is the http.Server's ConnState hook: it tells the Listener
// which connections are idle. Other connections are ignored.
func (l *Listener) ConnState(nc net.Conn, state http.ConnState) {
	c, ok := nc.(*Conn)
	if !ok || c.l != l {
		return
	}
	now := l.cfg.Clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	c.state, c.since = state, now
}
