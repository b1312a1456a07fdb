package protocol

import "errors"

// ErrBadReport means a status answer is not a Report (DecodeReport).
var ErrBadReport = errors.New("protocol: bad status report")

// ErrBadOTAStatus means an ota_status answer is not an OTAStatus
// (DecodeOTAStatus).
var ErrBadOTAStatus = errors.New("protocol: bad ota status")
