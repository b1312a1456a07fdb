//go:build linux

package v4l2test

import (
	"github.com/p2pcam/p2pcam/capture/v4l2"
)

// curFormat is the negotiated format of one queue.
type curFormat struct {
	f             *Format
	width, height uint32
	planes        []planeFmt
}

type planeFmt struct{ bytesPerLine, sizeImage uint32 }

// formatsOf lists the formats of buffer type t.
func (d *Device) formatsOf(t uint32) []*Format {
	var out []*Format
	for i := range d.Formats {
		if uint32(d.Formats[i].Type) == t {
			out = append(out, &d.Formats[i])
		}
	}
	return out
}

// findFormat finds a pixel format on any queue.
func (d *Device) findFormat(pf uint32) *Format {
	for i := range d.Formats {
		if uint32(d.Formats[i].PixelFormat) == pf {
			return &d.Formats[i]
		}
	}
	return nil
}

// adjust returns the format the driver picks for a request on queue t,
// as drivers do: an unknown pixel format becomes the first one, and the
// size the nearest supported. ok is false if t has no formats.
func (d *Device) adjust(t, pf, w, h uint32) (*curFormat, bool) {
	fs := d.formatsOf(t)
	if len(fs) == 0 {
		return nil, false
	}
	f := fs[0]
	for _, c := range fs {
		if uint32(c.PixelFormat) == pf {
			f = c
		}
	}
	w, h = nearestSize(f, w, h)
	return &curFormat{f: f, width: w, height: h, planes: planeLayout(f, w, h)}, true
}

func nearestSize(f *Format, w, h uint32) (uint32, uint32) {
	if s := f.Stepwise; s != nil {
		clamp := func(v, lo, hi, step uint32) uint32 {
			v = min(max(v, lo), hi)
			if step > 1 {
				v = lo + (v-lo)/step*step
			}
			return v
		}
		return clamp(w, s.MinWidth, s.MaxWidth, s.StepWidth), clamp(h, s.MinHeight, s.MaxHeight, s.StepHeight)
	}
	best, dist := f.Sizes[0], int64(-1)
	for _, s := range f.Sizes {
		dw, dh := int64(s.Width)-int64(w), int64(s.Height)-int64(h)
		if d := dw*dw + dh*dh; dist < 0 || d < dist {
			best, dist = s, d
		}
	}
	return best.Width, best.Height
}

// planeLayout computes bytes per line and image size, split evenly
// over the format's planes.
func planeLayout(f *Format, w, h uint32) []planeFmt {
	var bpl, size uint32
	switch f.PixelFormat {
	case v4l2.PixFmtYUYV, v4l2.PixFmtUYVY:
		bpl, size = w*2, w*h*2
	case v4l2.PixFmtYUV420, v4l2.PixFmtNV12:
		bpl, size = w, w*h*3/2
	case v4l2.PixFmtRGB24, v4l2.PixFmtBGR24:
		bpl, size = w*3, w*h*3
	case v4l2.PixFmtGrey:
		bpl, size = w, w*h
	default: // compressed
		bpl, size = 0, max(w*h/2, 64<<10)
	}
	n := uint32(max(f.Planes, 1))
	planes := make([]planeFmt, n)
	for i := range planes {
		planes[i] = planeFmt{bytesPerLine: bpl, sizeImage: size / n}
	}
	return planes
}

// current returns the negotiated format of queue t, defaulting to the
// first format at its first (or largest) size. The caller holds mu.
func (d *Device) current(t uint32) (*curFormat, bool) {
	if c := d.cur[t]; c != nil {
		return c, true
	}
	c, ok := d.adjust(t, 0, 640, 480)
	if ok {
		d.cur[t] = c
	}
	return c, ok
}

// hasType reports whether the device has queue type t.
func (d *Device) hasType(t uint32) bool {
	n := d.Caps
	switch v4l2.BufType(t) {
	case v4l2.VideoCapture:
		return n&(v4l2.CapVideoCapture|v4l2.CapVideoM2M) != 0
	case v4l2.VideoOutput:
		return n&(v4l2.CapVideoOutput|v4l2.CapVideoM2M) != 0
	case v4l2.VideoCaptureMPlane:
		return n&(v4l2.CapVideoCaptureMPlane|v4l2.CapVideoM2MMPlane) != 0
	case v4l2.VideoOutputMPlane:
		return n&(v4l2.CapVideoOutputMPlane|v4l2.CapVideoM2MMPlane) != 0
	}
	return false
}

// isM2M reports whether the device is a memory-to-memory one.
func (d *Device) isM2M() bool { return d.Caps&(v4l2.CapVideoM2M|v4l2.CapVideoM2MMPlane) != 0 }

// readFormat and writeFormat move a curFormat in and out of the
// v4l2_format union of arg.
func readFormat(m mem, t uint32) (pf, w, h uint32) {
	u := m[fmtUnion:]
	return u.u32(8), u.u32(0), u.u32(4)
}

func writeFormat(m mem, t uint32, c *curFormat) {
	u := m[fmtUnion : fmtUnion+200]
	clear(u)
	u.put32(0, c.width)
	u.put32(4, c.height)
	u.put32(8, uint32(c.f.PixelFormat))
	u.put32(12, 1) // V4L2_FIELD_NONE
	if v4l2.BufType(t).IsMultiPlanar() {
		u.put32(16, 8) // V4L2_COLORSPACE_SRGB
		for i, p := range c.planes {
			u.put32(20+20*i, p.sizeImage)
			u.put32(24+20*i, p.bytesPerLine)
		}
		u[180] = byte(len(c.planes))
		return
	}
	u.put32(16, c.planes[0].bytesPerLine)
	u.put32(20, c.planes[0].sizeImage)
	u.put32(24, 8) // V4L2_COLORSPACE_SRGB
}
