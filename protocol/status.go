package protocol

import (
	"fmt"
	"net/http"
	"strconv"
)

// Status is the answer code of the X-P2P protocol (GUIDE section 4). LAN
// mode sends it as the HTTP status; P2P sends it in the response head.
type Status int

// Statuses.
const (
	StatusOK           Status = 0   // accepted ("status":"0")
	StatusBusy         Status = 1   // refused: the resource is taken
	StatusUnauthorized Status = 401 // no valid token (p2pcam extension)
	StatusForbidden    Status = 403 // the token does not allow this request (p2pcam extension)
	StatusRedirect     Status = 302 // over the viewer limit: play the stream from the relay in the body (p2pcam extension)
	StatusBadRequest   Status = 404 // malformed request, or a channel that does not exist
	StatusTooMany      Status = 405 // too many viewers
	StatusNotSupported Status = 406 // command or request not supported
	StatusFailed       Status = 500 // the command's handler failed: timed out, crashed, said too much (p2pcam extension)
)

// Error is a request that cannot be served, with the status to answer.
type Error struct {
	Status Status
	Msg    string
}

func (e *Error) Error() string { return fmt.Sprintf("%d: %s", e.Status, e.Msg) }

func errorf(st Status, format string, args ...any) *Error {
	return &Error{Status: st, Msg: fmt.Sprintf(format, args...)}
}

// Errorf returns an *Error with the given status.
func Errorf(st Status, format string, args ...any) error { return errorf(st, format, args...) }

// HTTP returns the HTTP status that carries st over HTTP (LAN mode, the
// gateway): 200 for OK; 503 Service Unavailable for busy and for too many
// viewers (players show a 405 as "Method Not Allowed"); the code itself
// otherwise (302 Found for a redirect, with a Location header). SetHTTPHeaders keeps the X-P2P status beside it.
func (st Status) HTTP() int {
	switch st {
	case StatusOK:
		return http.StatusOK
	case StatusBusy, StatusTooMany:
		return http.StatusServiceUnavailable
	}
	return int(st)
}

// Retry-After values of the statuses that end by themselves, in seconds:
// a talker finishes, a viewer leaves.
const (
	retryBusy    = "1"
	retryTooMany = "5"
)

// SetHTTPHeaders sets the headers that go with st over HTTP:
// X-P2pcam-Status, the X-P2P status itself, and Retry-After where
// waiting helps.
func (st Status) SetHTTPHeaders(h http.Header) {
	h.Set("X-P2pcam-Status", strconv.Itoa(int(st)))
	switch st {
	case StatusBusy:
		h.Set("Retry-After", retryBusy)
	case StatusTooMany:
		h.Set("Retry-After", retryTooMany)
	}
}
