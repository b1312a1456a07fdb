package aac

import "errors"

var (
	// ErrUnsupported is returned for valid AAC the package does not
	// handle: other object types than LC, more than two channels, 960
	// sample frames, coupling channels, several raw blocks per ADTS frame.
	ErrUnsupported = errors.New("aac: unsupported")
	// ErrMalformed is returned for data that breaks the syntax or the
	// limits of ISO/IEC 14496-3.
	ErrMalformed = errors.New("aac: malformed data")
	// ErrTruncated is returned when data ends before its syntax does.
	ErrTruncated = errors.New("aac: truncated data")
	// ErrSync is returned when an ADTS header does not start with the
	// 0xFFF syncword.
	ErrSync = errors.New("aac: no ADTS syncword")
	// ErrFrameSize is returned by Encoder.Encode for input that is not
	// exactly one frame (1024 samples per channel).
	ErrFrameSize = errors.New("aac: input is not one frame")
)
