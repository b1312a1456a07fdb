package update

import "errors"

// Errors returned by the Updater. They are wrapped with detail; test
// with errors.Is.
var (
	// ErrBusy means an update is already running.
	ErrBusy = errors.New("update: an update is already running")
	// ErrNoRelease means ota_update named no URL and no release has been
	// announced.
	ErrNoRelease = errors.New("update: no release announced; give url=")
	// ErrNotWanted means the release is not for this camera, not newer
	// than what it runs, or above its floor.
	ErrNotWanted = errors.New("update: release not wanted")
	// ErrClosed means the updater has stopped.
	ErrClosed = errors.New("update: updater stopped")
)
