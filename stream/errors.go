package stream

import "errors"

// Errors returned by hubs and subscribers.
var (
	// ErrClosed means the hub or subscriber was closed.
	ErrClosed = errors.New("stream: closed")
	// ErrSourceFailed means the source stopped with an error; the
	// wrapped error says why. The next Subscribe starts it again.
	ErrSourceFailed = errors.New("stream: source failed")
)
