package agent

import (
	"time"

	"github.com/p2pcam/p2pcam/protocol"
)

// Responder answers one request over a transport: an HTTP response in LAN
// mode, a data channel over P2P.
type Responder interface {
	// WriteHead sends the status and head, once, before any body.
	WriteHead(status protocol.Status, head protocol.Head) error
	// Write sends body bytes.
	Write(p []byte) (int, error)
	// Flush pushes written body bytes out to the viewer.
	Flush() error
	// Backlog returns the bytes written but not yet sent by the
	// transport, or 0 where it cannot tell. A live stream that sees it
	// grow skips to the next keyframe.
	Backlog() int
	// SetWriteDeadline bounds the writes and flushes that follow; a
	// viewer that takes in nothing until then is dropped.
	SetWriteDeadline(t time.Time) error
}
