package connlimit

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// Conn is a connection a Listener admitted. Closing it frees its place.
type Conn struct {
	net.Conn
	l   *Listener
	key string // the client address it counts against
	seq int64  // admission order

	// Guarded by l.mu.
	state http.ConnState
	since time.Time // when state began

	closeOnce sync.Once
}

// idle reports whether c may be closed to make room: it is between
// requests, or it has not started its first request within grace.
// l.mu is held.
func (c *Conn) idle(now time.Time, grace time.Duration) bool {
	return c.state == http.StateIdle || c.state == http.StateNew && now.Sub(c.since) >= grace
}

// before reports whether c's state began before d's (or as d's, but c
// was admitted first).
func (c *Conn) before(d *Conn) bool {
	if c.since.Equal(d.since) {
		return c.seq < d.seq
	}
	return c.since.Before(d.since)
}

// Close closes the connection and frees its place.
func (c *Conn) Close() error {
	err := errClosed
	c.closeOnce.Do(func() {
		c.l.mu.Lock()
		c.l.forget(c)
		c.l.mu.Unlock()
		err = c.Conn.Close()
	})
	return err
}

// CloseWrite shuts down the writing side, if the connection can.
func (c *Conn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return errNoCloseWrite
}
