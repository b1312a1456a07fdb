package discovery

import "errors"

// Errors of Unmarshal and of the responder's checks.
var (
	// ErrTooBig: a probe over MaxProbeSize, or a match over MaxMatchSize.
	ErrTooBig = errors.New("discovery: message too big")
	// ErrTooSmall: a probe under MinProbeSize (it would be amplified).
	ErrTooSmall = errors.New("discovery: probe under the minimum size")
	// ErrMalformed: not the JSON of a probe or a match.
	ErrMalformed = errors.New("discovery: malformed message")
)
