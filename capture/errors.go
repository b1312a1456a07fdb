package capture

import "errors"

// Errors returned by sources.
var (
	// ErrBadSpec means a source spec such as "file:x.h264" could not be
	// understood; the message says which forms are accepted.
	ErrBadSpec = errors.New("capture: bad source spec")
	// ErrNoVideo means a stream ended without a single decodable
	// H.264 access unit (no SPS/PPS and IDR were found).
	ErrNoVideo = errors.New("capture: no decodable H.264 video in stream")
	// ErrNotSupported means an encoder has no such control
	// (BitrateSetter, KeyframeForcer).
	ErrNotSupported = errors.New("capture: the encoder does not support this control")
	// ErrNotRunning means the source is not capturing now.
	ErrNotRunning = errors.New("capture: the source is not running")
)
