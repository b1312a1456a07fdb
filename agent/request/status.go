package request

import "fmt"

// Status is the answer code of the X-P2P protocol (GUIDE section 4). LAN
// mode sends it as the HTTP status; P2P sends it in the response head.
type Status int

// Statuses.
const (
	StatusOK           Status = 0   // accepted ("status":"0")
	StatusBusy         Status = 1   // refused: the resource is taken
	StatusBadRequest   Status = 404 // malformed request, or a channel that does not exist
	StatusTooMany      Status = 405 // too many viewers
	StatusNotSupported Status = 406 // command or request not supported
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
