package mqttclient

import "errors"

var (
	// ErrRefused means the broker refused the connection (bad
	// credentials, client id not allowed); retrying will not help.
	ErrRefused = errors.New("mqttclient: broker refused the connection")
	// ErrDown means the connection is down and being made again; OnUp
	// runs again when it is back.
	ErrDown = errors.New("mqttclient: not connected to the broker; reconnecting")
	// ErrClosed means Close was called.
	ErrClosed = errors.New("mqttclient: closed")
)
