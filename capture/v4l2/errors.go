//go:build linux

package v4l2

import (
	"errors"

	"github.com/p2pcam/p2pcam/internal/ioc"
)

// Errors a Device returns; match them with errors.Is.
var (
	// ErrGone means the device went away (unplugged, driver unbound):
	// its ioctls fail with ENODEV or poll reports a hang-up. The
	// Device is useless from then on; close it and open the node again
	// once it is back.
	ErrGone = errors.New("v4l2: device is gone")
	// ErrClosed means the Device was closed, possibly while waiting.
	ErrClosed = errors.New("v4l2: device is closed")
	// ErrTimeout means no buffer became ready within the time allowed.
	ErrTimeout = errors.New("v4l2: timed out waiting for a buffer")
	// ErrNotReady means a non-blocking Dequeue found no finished buffer.
	ErrNotReady = errors.New("v4l2: no buffer is ready")
	// ErrNotV4L2 means the node does not answer VIDIOC_QUERYCAP.
	ErrNotV4L2 = errors.New("v4l2: not a V4L2 device")
	// ErrStreamError means poll reported an error on the queue while
	// no buffer could be dequeued: streaming is off, no buffer is
	// queued, or the driver put the queue in an error state.
	ErrStreamError = errors.New("v4l2: device reports a queue error (streaming off or no buffer queued)")
)

// ioctlError describes a failed request. ENODEV becomes ErrGone, while
// the errno stays available to errors.Is as well.
func ioctlError(path string, req uint, err error) error {
	return ioc.Errors{Prefix: "v4l2", Gone: ErrGone, Names: ioctlNames}.Request(path, req, err)
}

// isGone reports whether err is the kernel saying the device vanished.
func isGone(err error) bool { return ioc.IsGone(err) }
