package h264

import "errors"

// Errors returned by the parsers. They are wrapped with detail; test with
// errors.Is.
var (
	// ErrNoStartCode means Annex-B input held no 00 00 01 start code.
	ErrNoStartCode = errors.New("h264: no Annex-B start code")
	// ErrTruncated means a structure ended before its declared length.
	ErrTruncated = errors.New("h264: truncated data")
	// ErrNALUTooLarge means a NAL unit exceeded the reader's size limit;
	// the reader skips it and resynchronises at the next start code.
	ErrNALUTooLarge = errors.New("h264: NAL unit too large")
	// ErrBadSPS means a sequence parameter set is malformed or outside
	// what this package supports.
	ErrBadSPS = errors.New("h264: bad SPS")
)
