//go:build linux

package v4l2

import (
	"fmt"
	"math"
	"unsafe"
)

// Format is a negotiated image format (VIDIOC_G_FMT and S_FMT).
type Format struct {
	Type          BufType
	PixelFormat   PixelFormat
	Width, Height uint32
	Field         uint32 // enum v4l2_field; 1 is progressive
	Colorspace    uint32 // enum v4l2_colorspace
	// Planes holds one entry per memory plane: one for single-planar
	// queues and for most multi-planar formats.
	Planes []PlaneFormat
}

// PlaneFormat is the layout of one memory plane.
type PlaneFormat struct {
	BytesPerLine uint32 // 0 for compressed formats
	SizeImage    uint32 // bytes a buffer needs for one frame
}

// String returns "YUYV 640x480".
func (f Format) String() string { return fmt.Sprintf("%v %dx%d", f.PixelFormat, f.Width, f.Height) }

// GetFormat returns the current format of queue t.
func (d *Device) GetFormat(t BufType) (Format, error) {
	k := format{Type: uint32(t)}
	if err := d.do(vidiocGFmt, unsafe.Pointer(&k)); err != nil {
		return Format{}, err
	}
	return decodeFormat(&k), nil
}

// SetFormat asks for a pixel format and size on queue t, progressive,
// and returns what the driver chose, which may differ: drivers adjust
// the size to one they support, and some replace an unsupported pixel
// format by another. It fails with EBUSY while buffers are allocated.
func (d *Device) SetFormat(t BufType, pf PixelFormat, width, height uint32) (Format, error) {
	k := encodeFormat(t, pf, width, height)
	if err := d.do(vidiocSFmt, unsafe.Pointer(&k)); err != nil {
		return Format{}, err
	}
	return decodeFormat(&k), nil
}

// TryFormat is SetFormat without changing anything: it returns what
// the driver would choose.
func (d *Device) TryFormat(t BufType, pf PixelFormat, width, height uint32) (Format, error) {
	k := encodeFormat(t, pf, width, height)
	if err := d.do(vidiocTryFmt, unsafe.Pointer(&k)); err != nil {
		return Format{}, err
	}
	return decodeFormat(&k), nil
}

func encodeFormat(t BufType, pf PixelFormat, width, height uint32) format {
	k := format{Type: uint32(t)}
	if t.IsMultiPlanar() {
		mp := k.pixMP()
		mp.Width, mp.Height, mp.PixelFormat, mp.Field = width, height, uint32(pf), fieldNone
	} else {
		p := k.pix()
		p.Width, p.Height, p.PixelFormat, p.Field = width, height, uint32(pf), fieldNone
	}
	return k
}

func decodeFormat(k *format) Format {
	t := BufType(k.Type)
	f := Format{Type: t}
	if t.IsMultiPlanar() {
		mp := k.pixMP()
		f.PixelFormat, f.Width, f.Height = PixelFormat(mp.PixelFormat), mp.Width, mp.Height
		f.Field, f.Colorspace = mp.Field, mp.Colorspace
		n := min(int(mp.NumPlanes), maxPlanes)
		for i := range n {
			pp := mp.PlaneFmt[i]
			f.Planes = append(f.Planes, PlaneFormat{BytesPerLine: pp.BytesPerLine, SizeImage: pp.SizeImage})
		}
		return f
	}
	p := k.pix()
	f.PixelFormat, f.Width, f.Height = PixelFormat(p.PixelFormat), p.Width, p.Height
	f.Field, f.Colorspace = p.Field, p.Colorspace
	f.Planes = []PlaneFormat{{BytesPerLine: p.BytesPerLine, SizeImage: p.SizeImage}}
	return f
}

// capTimePerFrame is V4L2_CAP_TIMEPERFRAME in v4l2_captureparm.
const capTimePerFrame = 0x1000

// rateType is the queue whose frame rate SetFrameRate sets: the capture
// queue of a camera, the output (raw picture) queue of an M2M encoder.
func (d *Device) rateType() BufType {
	if d.caps.IsM2M() {
		return d.caps.OutputType()
	}
	return d.caps.CaptureType()
}

// FrameRate returns the current time per frame, as VIDIOC_G_PARM
// reports it, and whether the driver supports setting it.
func (d *Device) FrameRate() (tpf Fraction, settable bool, err error) {
	k := streamparm{Type: uint32(d.rateType())}
	if err := d.do(vidiocGParm, unsafe.Pointer(&k)); err != nil {
		return Fraction{}, false, err
	}
	c := k.capture()
	return Fraction{c.TimePerFrame.Numerator, c.TimePerFrame.Denominator}, c.Capability&capTimePerFrame != 0, nil
}

// SetFrameRate asks for fps frames per second (VIDIOC_S_PARM) on the
// capture queue of a camera, or on the output queue of an M2M encoder,
// where it informs rate control. It returns the time per frame the
// driver chose, which is the nearest it supports.
func (d *Device) SetFrameRate(fps float64) (Fraction, error) {
	if !(fps > 0) || fps > 1e6 {
		return Fraction{}, fmt.Errorf("v4l2: frame rate %v out of range", fps)
	}
	return d.SetTimePerFrame(d.rateType(), fpsToInterval(fps))
}

// SetTimePerFrame sets the time per frame of queue t and returns the
// one the driver chose.
func (d *Device) SetTimePerFrame(t BufType, tpf Fraction) (Fraction, error) {
	k := streamparm{Type: uint32(t)}
	k.capture().TimePerFrame = fract{tpf.Num, tpf.Den}
	if err := d.do(vidiocSParm, unsafe.Pointer(&k)); err != nil {
		return Fraction{}, err
	}
	c := k.capture()
	return Fraction{c.TimePerFrame.Numerator, c.TimePerFrame.Denominator}, nil
}

// fpsToInterval turns a rate into a time per frame: 30 into 1/30, and a
// fractional rate such as 29.97 into 1001/30000.
func fpsToInterval(fps float64) Fraction {
	if r := math.Round(fps); math.Abs(fps-r) < 1e-9 {
		return Fraction{1, uint32(r)}
	}
	if r := math.Round(fps * 1001 / 1000); math.Abs(fps*1001/1000-r) < 1e-3 {
		return Fraction{1001, uint32(r * 1000)}
	}
	return Fraction{1000, uint32(math.Round(fps * 1000))}
}
