package connlimit

import "errors"

// Reasons a connection is refused, as logged.
var (
	// ErrFull means MaxConns connections are open and none is idle.
	ErrFull = errors.New("connlimit: too many connections, none idle")
	// ErrAddrFull means the client's address has MaxPerAddr connections
	// open and none is idle.
	ErrAddrFull = errors.New("connlimit: too many connections from this address, none idle")
)

// Errors of a Conn's methods.
var (
	errClosed       = errors.New("connlimit: connection already closed")
	errNoCloseWrite = errors.New("connlimit: the connection cannot close only its writing side")
)
