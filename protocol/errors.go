package protocol

import "errors"

// ErrBadReport means a status answer is not a Report (DecodeReport).
var ErrBadReport = errors.New("protocol: bad status report")

// ErrBadRedirect means a 302 answer's body is not a Redirect
// (ParseRedirect).
var ErrBadRedirect = errors.New("protocol: bad redirect")
