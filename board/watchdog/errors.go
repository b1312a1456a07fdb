package watchdog

import "errors"

var (
	// ErrUnsupported is returned off Linux.
	ErrUnsupported = errors.New("watchdog: hardware watchdogs need Linux")
	// ErrClosed is returned by the methods of a closed Device.
	ErrClosed = errors.New("watchdog: device closed")
	// ErrUnhealthy is returned by Run when it stopped feeding the
	// watchdog because the health check failed: the board reboots.
	ErrUnhealthy = errors.New("watchdog: health check failed; stopped feeding the watchdog, the board reboots")
)
