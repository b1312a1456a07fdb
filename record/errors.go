package record

import "errors"

// Errors of the package; match them with errors.Is.
var (
	// ErrBadName means a file name is not a segment name this package
	// writes (ch0_20261206T094252.123Z.flv and the like). Requests that
	// name a file are checked against it, so a name can never leave the
	// storage directory.
	ErrBadName = errors.New("record: not a segment name")
	// ErrNotFound means no segment has the name, or none covers the
	// time asked for.
	ErrNotFound = errors.New("record: no such recording")
	// ErrDamaged means a segment's bytes are not FLV as this package
	// writes it; what comes before the damage is still readable.
	ErrDamaged = errors.New("record: damaged segment")
	// ErrStopped means the recorder is not writing now (the storage is
	// missing or read-only); Status says why.
	ErrStopped = errors.New("record: recording stopped")
)
