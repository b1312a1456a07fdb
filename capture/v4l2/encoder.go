//go:build linux

package v4l2

import (
	"fmt"
	"strings"
	"unsafe"
)

// H264Encoder holds the settings of a stateful H.264 encoder (an M2M
// encoder, or a UVC camera that exposes the codec controls). A zero
// field leaves the driver's value alone.
type H264Encoder struct {
	// Bitrate is the target bit rate in bits per second.
	Bitrate int
	// IPeriod is the number of frames from one I frame to the next.
	IPeriod int
	// Profile is "baseline", "constrained-baseline", "main", "high" or
	// "constrained-high".
	Profile string
	// Level is an H.264 level such as "3.1", "4" or "1b".
	Level string
	// RepeatSeqHeader makes the encoder emit SPS and PPS before every
	// IDR frame, so that a stream can be joined at any key frame.
	RepeatSeqHeader bool
}

// Controls returns the control values that apply e, for SetControls.
func (e H264Encoder) Controls() ([]ControlValue, error) {
	var cs []ControlValue
	if e.Bitrate < 0 || e.IPeriod < 0 {
		return nil, fmt.Errorf("v4l2: negative bitrate %d or I period %d", e.Bitrate, e.IPeriod)
	}
	if e.Bitrate > 0 {
		cs = append(cs, ControlValue{CIDVideoBitrate, int64(e.Bitrate)})
	}
	if e.IPeriod > 0 {
		cs = append(cs, ControlValue{CIDVideoH264IPeriod, int64(e.IPeriod)})
	}
	if e.Profile != "" {
		p, err := ParseH264Profile(e.Profile)
		if err != nil {
			return nil, err
		}
		cs = append(cs, ControlValue{CIDVideoH264Profile, p})
	}
	if e.Level != "" {
		l, err := ParseH264Level(e.Level)
		if err != nil {
			return nil, err
		}
		cs = append(cs, ControlValue{CIDVideoH264Level, l})
	}
	if e.RepeatSeqHeader {
		cs = append(cs, ControlValue{CIDVideoRepeatSeqHdr, 1})
	}
	return cs, nil
}

// ParseH264Profile returns the V4L2 menu value of a profile name.
func ParseH264Profile(s string) (int64, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "baseline":
		return H264ProfileBaseline, nil
	case "constrained-baseline", "constrained baseline", "cb":
		return H264ProfileConstrainedBaseline, nil
	case "main":
		return H264ProfileMain, nil
	case "high":
		return H264ProfileHigh, nil
	case "constrained-high", "constrained high":
		return H264ProfileConstrainedHigh, nil
	}
	return 0, fmt.Errorf("v4l2: unknown H.264 profile %q (want baseline, constrained-baseline, main, high or constrained-high)", s)
}

// h264Levels lists the levels in the order of enum v4l2_mpeg_video_h264_level.
var h264Levels = []string{
	"1", "1b", "1.1", "1.2", "1.3", "2", "2.1", "2.2", "3", "3.1",
	"3.2", "4", "4.1", "4.2", "5", "5.1", "5.2", "6", "6.1", "6.2",
}

// ParseH264Level returns the V4L2 menu value of a level: "3.1", "4",
// "4.0", "1b".
func ParseH264Level(s string) (int64, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.TrimSuffix(s, ".0")
	for i, l := range h264Levels {
		if s == l {
			return int64(i), nil
		}
	}
	return 0, fmt.Errorf("v4l2: unknown H.264 level %q", s)
}

// EncoderCmd is a command for an encoder, VIDIOC_ENCODER_CMD.
type EncoderCmd uint32

// Encoder commands.
const (
	EncoderStart  EncoderCmd = 0
	EncoderStop   EncoderCmd = 1 // drain: the last capture buffer gets BufFlagLast
	EncoderPause  EncoderCmd = 2
	EncoderResume EncoderCmd = 3
)

// EncoderCommand sends cmd to an M2M encoder: EncoderStop drains it, and
// EncoderStart resumes after a drain.
func (d *Device) EncoderCommand(cmd EncoderCmd) error {
	k := encoderCmd{Cmd: uint32(cmd)}
	return d.do(vidiocEncoderCmd, unsafe.Pointer(&k))
}
