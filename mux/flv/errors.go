package flv

import "errors"

// Errors the Demuxer returns; match them with errors.Is.
var (
	// ErrTagTooLarge means a tag's declared data size exceeds the
	// Demuxer's MaxTagSize.
	ErrTagTooLarge = errors.New("flv: tag too large")
	// ErrEncrypted means a tag has its filter bit set: its body is
	// encrypted or otherwise pre-processed, which this package does not
	// support.
	ErrEncrypted = errors.New("flv: filtered (encrypted) tag not supported")
)
