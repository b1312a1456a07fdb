//go:build linux

package alsa

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"

	"github.com/p2pcam/p2pcam/internal/ioc"
)

// Errors the package returns; match them with errors.Is.
var (
	// ErrGone means the device went away (unplugged, driver unbound):
	// the kernel answers ENODEV. Close the PCM and open it again once
	// the device is back.
	ErrGone = errors.New("alsa: device is gone")
	// ErrClosed means the PCM was closed, possibly while a Read, Write
	// or Drain was waiting.
	ErrClosed = errors.New("alsa: device is closed")
	// ErrBusy means another process (or PCM) has the device open.
	ErrBusy = errors.New("alsa: device is busy")
	// ErrNotFound means no card or device has the name asked for.
	ErrNotFound = errors.New("alsa: no such device")
	// ErrBadName means a device name could not be parsed.
	ErrBadName = errors.New("alsa: bad device name")
	// ErrNotPCM means the file opened does not answer the PCM ioctls
	// or is a PCM of the other direction.
	ErrNotPCM = errors.New("alsa: not an ALSA PCM device")
	// ErrUnsupported means the device cannot do what was asked at all
	// (no S16 format, no interleaved read/write access, no
	// configuration near the parameters), or the call does not apply
	// to the PCM's direction.
	ErrUnsupported = errors.New("alsa: not supported")
	// ErrTimeout means the device neither delivered nor took frames for
	// much longer than its buffer lasts: the hardware stalled.
	ErrTimeout = errors.New("alsa: device stalled")
	// ErrBadState means the stream is in a state the package cannot
	// recover from by itself.
	ErrBadState = errors.New("alsa: stream in a bad state")
	// ErrPartialFrame means a Write buffer does not hold a whole number
	// of frames (its length is not a multiple of the channel count).
	ErrPartialFrame = errors.New("alsa: buffer is not a whole number of frames")
)

// ioctlError describes a failed request. ENODEV becomes ErrGone, while
// the errno stays available to errors.Is as well.
func ioctlError(path string, req uint, err error) error {
	return ioc.Errors{Prefix: "alsa", Gone: ErrGone, Names: ioctlNames}.Request(path, req, err)
}

// openError describes a failed open of path.
func openError(path string, err error) error {
	switch {
	case errors.Is(err, unix.EBUSY):
		return fmt.Errorf("%w: open %s: %w", ErrBusy, path, err)
	case errors.Is(err, unix.ENOENT), errors.Is(err, unix.ENXIO):
		return fmt.Errorf("%w: open %s: %w", ErrNotFound, path, err)
	case isGone(err):
		return fmt.Errorf("%w: open %s: %w", ErrGone, path, err)
	}
	return fmt.Errorf("alsa: open %s: %w", path, err)
}

// isGone reports whether err is the kernel saying the device vanished.
func isGone(err error) bool { return ioc.IsGone(err) }
