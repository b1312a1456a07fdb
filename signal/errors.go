package signal

import "errors"

// ErrMalformed wraps every rejection of a signalling message or name.
var ErrMalformed = errors.New("signal: malformed")
