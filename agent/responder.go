package agent

import (
	"time"

	"github.com/p2pcam/p2pcam/agent/request"
	"github.com/p2pcam/p2pcam/media"
)

// Responder answers one request over a transport: an HTTP response in LAN
// mode, a data channel over P2P.
type Responder interface {
	// WriteHead sends the status and head, once, before any body.
	WriteHead(status request.Status, head Head) error
	// Write sends body bytes.
	Write(p []byte) (int, error)
	// Flush pushes written body bytes out to the viewer.
	Flush() error
	// SetWriteDeadline bounds the writes and flushes that follow; a
	// viewer that takes in nothing until then is dropped.
	SetWriteDeadline(t time.Time) error
}

// Head is the response head.
type Head struct {
	ContentType string
	// Quality is the quality served when it differs from the one asked
	// for (the board has no stream of that quality); empty otherwise.
	Quality media.Quality
}
