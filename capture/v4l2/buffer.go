//go:build linux

package v4l2

import (
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// BufFlag is a set of V4L2_BUF_FLAG_* bits.
type BufFlag uint32

// Buffer flags.
const (
	BufFlagMapped   BufFlag = 0x00000001
	BufFlagQueued   BufFlag = 0x00000002
	BufFlagDone     BufFlag = 0x00000004
	BufFlagKeyframe BufFlag = 0x00000008 // an I (IDR) frame, set by encoders
	BufFlagPFrame   BufFlag = 0x00000010
	BufFlagBFrame   BufFlag = 0x00000020
	BufFlagError    BufFlag = 0x00000040 // the data may be corrupt; the buffer is still returned
	BufFlagLast     BufFlag = 0x00100000 // the last buffer of a drained M2M stream

	bufFlagTimestampMask BufFlag = 0x0000e000
	// BufFlagTimestampMonotonic: Timestamp is CLOCK_MONOTONIC time.
	BufFlagTimestampMonotonic BufFlag = 0x00002000
	// BufFlagTimestampCopy: Timestamp was copied from the output
	// buffer the frame came from (M2M devices).
	BufFlagTimestampCopy BufFlag = 0x00004000
)

// Keyframe reports whether the buffer holds a key frame.
func (f BufFlag) Keyframe() bool { return f&BufFlagKeyframe != 0 }

// Error reports whether the driver flagged the data as damaged.
func (f BufFlag) Error() bool { return f&BufFlagError != 0 }

// Last reports whether this is the last buffer of a drained stream.
func (f BufFlag) Last() bool { return f&BufFlagLast != 0 }

// Monotonic reports whether the timestamp is CLOCK_MONOTONIC time.
func (f BufFlag) Monotonic() bool { return f&bufFlagTimestampMask == BufFlagTimestampMonotonic }

// String lists the frame-type, error, last and timestamp flags.
func (f BufFlag) String() string {
	var s []string
	for _, n := range []struct {
		f    BufFlag
		name string
	}{{BufFlagKeyframe, "keyframe"}, {BufFlagPFrame, "pframe"}, {BufFlagBFrame, "bframe"}, {BufFlagError, "error"}, {BufFlagLast, "last"}} {
		if f&n.f != 0 {
			s = append(s, n.name)
		}
	}
	switch f & bufFlagTimestampMask {
	case BufFlagTimestampMonotonic:
		s = append(s, "ts-monotonic")
	case BufFlagTimestampCopy:
		s = append(s, "ts-copy")
	}
	return strings.Join(s, "|")
}

// Buffer is a dequeued buffer. Its Planes alias the device's mapped
// memory: they stay valid until the buffer is queued again, the
// buffers are released or the Device is closed; copy what must outlive
// that.
type Buffer struct {
	Type     BufType
	Index    int
	Sequence uint32 // frame counter kept by the driver; a gap means dropped frames
	Flags    BufFlag
	Field    uint32
	// Timestamp is the driver's time of the frame: CLOCK_MONOTONIC
	// time when Flags.Monotonic(), usually of the first or last byte
	// captured (cameras), or a copy of the timestamp given with the
	// output buffer (M2M).
	Timestamp time.Duration
	// Planes holds each plane's payload, from its data offset to its
	// bytes used. Single-planar buffers have one plane.
	Planes [][]byte
}

// Data returns the payload of the first plane: the whole frame of a
// single-planar buffer, such as a YUYV picture or an H.264 access unit.
func (b Buffer) Data() []byte {
	if len(b.Planes) == 0 {
		return nil
	}
	return b.Planes[0]
}

// BytesUsed returns the size of the payload across all planes.
func (b Buffer) BytesUsed() int {
	n := 0
	for _, p := range b.Planes {
		n += len(p)
	}
	return n
}

// payload returns mem[off:used], clamped to mem, so that a driver
// reporting sizes beyond its own buffer cannot cause a panic.
func payload(mem []byte, used, off uint32) []byte {
	end := min(uint64(used), uint64(len(mem)))
	start := min(uint64(off), end)
	return mem[start:end:end]
}

// MonotonicNow returns the current CLOCK_MONOTONIC time, the clock of
// buffers whose Flags are Monotonic: now minus a buffer's Timestamp is
// how long ago its frame was captured.
func MonotonicNow() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}

// timevalDuration converts a kernel timestamp.
func timevalDuration(tv timeval) time.Duration {
	return time.Duration(tv.Sec)*time.Second + time.Duration(tv.Usec)*time.Microsecond
}

// durationTimeval converts to a kernel timestamp.
func durationTimeval(d time.Duration) timeval {
	if d < 0 {
		d = 0
	}
	return timeval{Sec: clong(d / time.Second), Usec: clong(d % time.Second / time.Microsecond)}
}
