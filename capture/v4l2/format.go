//go:build linux

package v4l2

import (
	"errors"
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// maxEnum bounds every enumeration, so that a driver that never says
// EINVAL cannot keep a loop going.
const maxEnum = 1024

// FmtFlag is a set of V4L2_FMT_FLAG_* bits.
type FmtFlag uint32

// Format description flags.
const (
	FmtCompressed FmtFlag = 0x0001 // a compressed format (H.264, MJPEG)
	FmtEmulated   FmtFlag = 0x0002 // converted in software by libv4l
)

// FormatDesc is one pixel format a queue offers (VIDIOC_ENUM_FMT).
type FormatDesc struct {
	Type        BufType
	Index       int
	PixelFormat PixelFormat
	Description string
	Flags       FmtFlag
}

// Compressed reports whether the format is a compressed one.
func (f FormatDesc) Compressed() bool { return f.Flags&FmtCompressed != 0 }

// Formats lists the pixel formats queue t offers.
func (d *Device) Formats(t BufType) ([]FormatDesc, error) {
	done, err := d.use()
	if err != nil {
		return nil, err
	}
	defer done()
	var out []FormatDesc
	for i := uint32(0); i < maxEnum; i++ {
		k := fmtdesc{Index: i, Type: uint32(t)}
		if err := d.ioctl(vidiocEnumFmt, unsafe.Pointer(&k)); err != nil {
			if errors.Is(err, unix.EINVAL) {
				break
			}
			return out, err
		}
		out = append(out, decodeFmtdesc(&k))
	}
	return out, nil
}

func decodeFmtdesc(k *fmtdesc) FormatDesc {
	return FormatDesc{
		Type:        BufType(k.Type),
		Index:       int(k.Index),
		PixelFormat: PixelFormat(k.PixelFormat),
		Description: cString(k.Description[:]),
		Flags:       FmtFlag(k.Flags),
	}
}

// SizeKind tells how a FrameSize or FrameInterval is given.
type SizeKind uint32

// Enumeration kinds, enum v4l2_frmsizetypes and v4l2_frmivaltypes.
const (
	Discrete   SizeKind = 1
	Continuous SizeKind = 2
	Stepwise   SizeKind = 3
)

// String returns "discrete", "continuous" or "stepwise".
func (k SizeKind) String() string {
	switch k {
	case Discrete:
		return "discrete"
	case Continuous:
		return "continuous"
	case Stepwise:
		return "stepwise"
	}
	return fmt.Sprintf("kind-%d", uint32(k))
}

// FrameSize is one frame size entry (VIDIOC_ENUM_FRAMESIZES). A
// Discrete size has Width and Height; a Stepwise or Continuous one
// spans Min to Max in steps of Step (1 for Continuous).
type FrameSize struct {
	Kind                             SizeKind
	Width, Height                    uint32
	MinWidth, MaxWidth, StepWidth    uint32
	MinHeight, MaxHeight, StepHeight uint32
}

// String returns "640x480" or "16x16-1920x1088/8x8".
func (s FrameSize) String() string {
	if s.Kind == Discrete {
		return fmt.Sprintf("%dx%d", s.Width, s.Height)
	}
	return fmt.Sprintf("%dx%d-%dx%d/%dx%d", s.MinWidth, s.MinHeight, s.MaxWidth, s.MaxHeight, s.StepWidth, s.StepHeight)
}

// FrameSizes lists the frame sizes of a pixel format. A stepwise or
// continuous device returns a single entry.
func (d *Device) FrameSizes(pf PixelFormat) ([]FrameSize, error) {
	done, err := d.use()
	if err != nil {
		return nil, err
	}
	defer done()
	var out []FrameSize
	for i := uint32(0); i < maxEnum; i++ {
		k := frmsizeenum{Index: i, PixelFormat: uint32(pf)}
		if err := d.ioctl(vidiocEnumFramesizes, unsafe.Pointer(&k)); err != nil {
			if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOTTY) {
				break
			}
			return out, err
		}
		s, ok := decodeFrameSize(&k)
		if !ok {
			break
		}
		out = append(out, s)
		if s.Kind != Discrete {
			break
		}
	}
	return out, nil
}

// decodeFrameSize converts a frame size entry; ok is false for an
// unknown kind.
func decodeFrameSize(k *frmsizeenum) (FrameSize, bool) {
	u := k.Union
	switch SizeKind(k.Type) {
	case Discrete:
		return FrameSize{Kind: Discrete, Width: u[0], Height: u[1]}, true
	case Continuous, Stepwise:
		return FrameSize{
			Kind:     SizeKind(k.Type),
			MinWidth: u[0], MaxWidth: u[1], StepWidth: max(u[2], 1),
			MinHeight: u[3], MaxHeight: u[4], StepHeight: max(u[5], 1),
		}, true
	}
	return FrameSize{}, false
}

// Fraction is a V4L2 fraction, e.g. a time per frame of 1/30 s.
type Fraction struct {
	Num, Den uint32
}

// Seconds returns the fraction's value; 0 when Den is 0.
func (f Fraction) Seconds() float64 {
	if f.Den == 0 {
		return 0
	}
	return float64(f.Num) / float64(f.Den)
}

// FPS returns the frame rate of a time per frame; 0 when Num is 0.
func (f Fraction) FPS() float64 {
	if f.Num == 0 {
		return 0
	}
	return float64(f.Den) / float64(f.Num)
}

// String returns "1/30".
func (f Fraction) String() string { return fmt.Sprintf("%d/%d", f.Num, f.Den) }

// FrameInterval is one frame interval entry (VIDIOC_ENUM_FRAMEINTERVALS):
// a Discrete time per frame in Interval, or a Stepwise or Continuous
// range from Min to Max.
type FrameInterval struct {
	Kind           SizeKind
	Interval       Fraction
	Min, Max, Step Fraction
}

// String returns "30 fps" or "1-60 fps".
func (iv FrameInterval) String() string {
	if iv.Kind == Discrete {
		return formatFPS(iv.Interval.FPS()) + " fps"
	}
	return formatFPS(iv.Max.FPS()) + "-" + formatFPS(iv.Min.FPS()) + " fps"
}

// formatFPS prints 30 as "30" and 30000/1001 as "29.97".
func formatFPS(f float64) string {
	s := fmt.Sprintf("%.3f", f)
	for s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	if s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	return s
}

// FrameIntervals lists the frame intervals of a pixel format at a size.
func (d *Device) FrameIntervals(pf PixelFormat, width, height uint32) ([]FrameInterval, error) {
	done, err := d.use()
	if err != nil {
		return nil, err
	}
	defer done()
	var out []FrameInterval
	for i := uint32(0); i < maxEnum; i++ {
		k := frmivalenum{Index: i, PixelFormat: uint32(pf), Width: width, Height: height}
		if err := d.ioctl(vidiocEnumFrameintervals, unsafe.Pointer(&k)); err != nil {
			if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOTTY) {
				break
			}
			return out, err
		}
		iv, ok := decodeFrameInterval(&k)
		if !ok {
			break
		}
		out = append(out, iv)
		if iv.Kind != Discrete {
			break
		}
	}
	return out, nil
}

// decodeFrameInterval converts a frame interval entry; ok is false for
// an unknown kind.
func decodeFrameInterval(k *frmivalenum) (FrameInterval, bool) {
	u := k.Union
	switch SizeKind(k.Type) {
	case Discrete:
		return FrameInterval{Kind: Discrete, Interval: Fraction{u[0], u[1]}}, true
	case Continuous, Stepwise:
		return FrameInterval{
			Kind: SizeKind(k.Type),
			Min:  Fraction{u[0], u[1]},
			Max:  Fraction{u[2], u[3]},
			Step: Fraction{u[4], u[5]},
		}, true
	}
	return FrameInterval{}, false
}
