// Package connlimit caps the connections a TCP server holds, in total and
// per client address, for a server with little memory (the camera's LAN
// HTTP server). When a cap is reached, a new connection takes the place
// of the connection that has been idle longest (an HTTP keep-alive
// connection between requests, or one that has sent no request for a
// second); failing that, of a connection that has sent no request yet
// from the address holding the most connections, if that is not the new
// connection's own. When none is found the new connection is refused at
// once, without reading it. Connections serving a request (a live
// stream) are never closed to make room. Refusing rather than queueing (as netutil.LimitListener does) keeps
// an attacker's connections from waiting in the accept queue ahead of a
// real viewer's.
package connlimit

import (
	"log/slog"
	"time"

	"github.com/p2pcam/p2pcam/internal/clock"
)

// Defaults, sized for a small camera: a live viewer holds one
// connection, a browser opens up to six per host, and every connection
// costs about 20 KB of memory (a goroutine, buffers) and a descriptor.
const (
	// DefaultMaxConns bounds all connections: 32 viewers (the most a
	// camera serves) with room for their command connections, about
	// 1.3 MB in all.
	DefaultMaxConns = 64
	// DefaultMaxPerAddr bounds one client address: two browsers behind
	// one NAT, or a recorder pulling every quality, but a quarter of the
	// total, so that one host cannot take every slot.
	DefaultMaxPerAddr = 16
	// DefaultNewGrace is how long a connection may take to start its
	// first request before it counts as idle: a real client sends it at
	// once.
	DefaultNewGrace = time.Second
	// refuseLinger bounds how long a refused connection is drained so
	// that the client reads the refusal instead of a reset.
	refuseLinger = time.Second
	// maxLingering bounds the refused connections drained at once; under
	// a flood the rest are closed at once.
	maxLingering = 8
	// drainBytes bounds what is read from a refused connection.
	drainBytes = 8 << 10
)

// DefaultRefusal is what a refused connection gets before it is closed:
// an HTTP 503 written without reading the request.
const DefaultRefusal = "HTTP/1.1 503 Service Unavailable\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n" +
	"Retry-After: 1\r\n" +
	"Connection: close\r\n" +
	"Content-Length: 44\r\n" +
	"\r\n" +
	"too many connections: close idle ones first\n"

// Config configures a Listener. The zero value works.
type Config struct {
	// MaxConns bounds open connections. It defaults to DefaultMaxConns.
	MaxConns int
	// MaxPerAddr bounds one client address's open connections (one IPv6
	// /64 counts as one address). It defaults to DefaultMaxPerAddr.
	MaxPerAddr int
	// NewGrace defaults to DefaultNewGrace.
	NewGrace time.Duration
	// Refusal is written to a refused connection. It defaults to
	// DefaultRefusal.
	Refusal string
	// Logger reports refusals, once per ten seconds. It defaults to
	// slog.Default().
	Logger *slog.Logger
	// Clock defaults to the system clock.
	Clock clock.Clock
}

func (c Config) withDefaults() Config {
	if c.MaxConns <= 0 {
		c.MaxConns = DefaultMaxConns
	}
	if c.MaxPerAddr <= 0 {
		c.MaxPerAddr = DefaultMaxPerAddr
	}
	c.MaxPerAddr = min(c.MaxPerAddr, c.MaxConns)
	if c.NewGrace <= 0 {
		c.NewGrace = DefaultNewGrace
	}
	if c.Refusal == "" {
		c.Refusal = DefaultRefusal
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	c.Clock = clock.Or(c.Clock)
	return c
}
