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
)
