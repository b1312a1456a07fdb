package rtp

import "errors"

// ErrBadAccessUnit means an access unit is not well-formed AVCC: a NAL
// unit length runs past its end, or a NAL unit is empty.
var ErrBadAccessUnit = errors.New("rtp: malformed AVCC access unit")
