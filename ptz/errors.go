package ptz

import "errors"

// Errors.
var (
	// ErrBadDirection means a direction is not left, right, up or down.
	ErrBadDirection = errors.New("ptz: bad direction")
	// ErrBadPreset means a preset number is out of range.
	ErrBadPreset = errors.New("ptz: bad preset number")
	// ErrNoPreset means a preset was never saved.
	ErrNoPreset = errors.New("ptz: preset not saved")
	// ErrBadPresetsFile means the presets file cannot be read as presets.
	ErrBadPresetsFile = errors.New("ptz: bad presets file")
	// ErrClosed means the controller or driver is closed.
	ErrClosed = errors.New("ptz: closed")
)

// ErrBadFrame means bytes are not a Pelco-D message: a wrong length,
// sync byte or checksum.
var ErrBadFrame = errors.New("ptz: bad Pelco-D message")
