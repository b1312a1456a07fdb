package protocol

import "errors"

// ErrBadReport means a status answer is not a Report (DecodeReport).
var ErrBadReport = errors.New("protocol: bad status report")
