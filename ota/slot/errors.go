package slot

import "errors"

// Errors returned by this package, wrapped with detail; test with
// errors.Is.
var (
	// ErrTrialActive means a trial is running: it must be confirmed or
	// rolled back before another install.
	ErrTrialActive = errors.New("slot: an update is on trial; wait for it to be confirmed or rolled back")
	// ErrNoTrial means Confirm or Fail was called with no trial of that
	// slot running.
	ErrNoTrial = errors.New("slot: no trial of this slot is running")
	// ErrBelowFloor means the bundle's version is below the anti-rollback
	// floor: the min_version of a release this camera has confirmed.
	ErrBelowFloor = errors.New("slot: bundle version is below the anti-rollback floor")
	// ErrFailedBefore means this version already failed its trial here;
	// it is not installed again (a retained release would loop).
	ErrFailedBefore = errors.New("slot: this version failed its trial on this camera before")
	// ErrBadState means state.json cannot be read; the launcher runs the
	// factory binary, and the next install writes a fresh state.
	ErrBadState = errors.New("slot: state file is corrupt")
	// ErrBadSlot means a slot name is not "a" or "b".
	ErrBadSlot = errors.New("slot: bad slot name")
)
