//go:build linux

package v4l2

import "fmt"

// BufType is a V4L2 buffer (queue) type, enum v4l2_buf_type.
type BufType uint32

// The buffer types the package streams with.
const (
	VideoCapture       BufType = 1  // V4L2_BUF_TYPE_VIDEO_CAPTURE
	VideoOutput        BufType = 2  // V4L2_BUF_TYPE_VIDEO_OUTPUT
	VideoCaptureMPlane BufType = 9  // V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE
	VideoOutputMPlane  BufType = 10 // V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE
)

// IsMultiPlanar reports whether t uses the multi-planar API.
func (t BufType) IsMultiPlanar() bool { return t == VideoCaptureMPlane || t == VideoOutputMPlane }

// IsOutput reports whether buffers of type t carry data to the device
// (the raw-picture side of an encoder).
func (t BufType) IsOutput() bool { return t == VideoOutput || t == VideoOutputMPlane }

// valid reports whether the package can stream with t.
func (t BufType) valid() bool {
	switch t {
	case VideoCapture, VideoOutput, VideoCaptureMPlane, VideoOutputMPlane:
		return true
	}
	return false
}

// String returns a short name such as "video-capture-mplane".
func (t BufType) String() string {
	switch t {
	case VideoCapture:
		return "video-capture"
	case VideoOutput:
		return "video-output"
	case VideoCaptureMPlane:
		return "video-capture-mplane"
	case VideoOutputMPlane:
		return "video-output-mplane"
	}
	return fmt.Sprintf("buf-type-%d", uint32(t))
}

// memoryMMAP is V4L2_MEMORY_MMAP, the only memory type used.
const memoryMMAP = 1

// Field values, enum v4l2_field.
const (
	fieldAny  = 0
	fieldNone = 1 // progressive
)
