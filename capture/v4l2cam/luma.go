//go:build linux

package v4l2cam

import (
	"context"
	"fmt"
	"image"
	"log/slog"
	"time"

	"github.com/p2pcam/p2pcam/capture/v4l2"
)

// Luma reads the raw camera that spec names and calls fn with the luma
// of one picture at most every interval, until ctx ends (it returns nil)
// or the camera or fn fails. It shares the camera with the streams that
// name it, as they share it with each other, so spec must ask the same
// of it as theirs (format, size, rate, controls); while Luma runs the
// camera stays open, streams or none. sys nil is the real kernel. A
// camera that encodes H.264 itself gives no raw pictures: an error.
func (cs *Cameras) Luma(ctx context.Context, spec Spec, sys v4l2.Sys, every time.Duration, log *slog.Logger, fn LumaFunc) error {
	if spec.Encoder == "" {
		return fatalf("%s encodes H.264 itself: it gives no raw pictures to look at (a raw format with encoder=x264 or encoder=/dev/videoN does)", spec.Device)
	}
	if sys == nil {
		sys = v4l2.Kernel
	}
	var encFormats []v4l2.FormatDesc
	if spec.usesM2M() {
		// What the encoder takes steers the camera's format, as it does
		// when a stream opens the camera first.
		enc, formats, err := openM2M(sys, spec.Encoder)
		if err != nil {
			return err
		}
		enc.Close()
		encFormats = formats
	}
	c, r, err := cs.attach(ctx, cameraRequest{sys: sys, spec: spec, encFormats: encFormats, buffers: defaultBuffers,
		timeout: defaultFrameTimeout, log: log, depth: 1})
	if err != nil {
		return err
	}
	defer c.detach(r)
	var pic lumaPicture
	var last time.Time
	for {
		fr, err := r.next(ctx, c.done)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return c.stopped()
		}
		if !last.IsZero() && fr.dequeued.Sub(last) < every {
			fr.release()
			continue
		}
		last = fr.dequeued
		y, stride, err := pic.of(c.copy, fr.data)
		if err == nil {
			err = fn(y, c.copy.w, c.copy.h, stride, fr.dequeued)
		}
		fr.release()
		if err != nil {
			return err
		}
	}
}

// lumaPicture finds the luma plane of raw pictures, keeping what it
// needs to extract it from formats that interleave it (YUYV, UYVY) or
// compress it (MJPEG).
type lumaPicture struct {
	y   []byte
	img *image.YCbCr
}

// of returns the luma of data, a picture laid out as l, and its stride.
// Planar formats' luma is returned in place.
func (p *lumaPicture) of(l layout, data []byte) ([]byte, int, error) {
	w, h := l.w, l.h
	switch l.pf {
	case pixNV12, pixYU12, pixYUYV, pixUYVY:
		bufs := [][]byte{data}
		if err := l.check(bufs); err != nil {
			return nil, 0, err
		}
		if l.pf == pixNV12 || l.pf == pixYU12 {
			pl := l.planes[0]
			return data[pl.off:pl.end()], pl.stride, nil
		}
		if len(p.y) != w*h {
			p.y = make([]byte, w*h)
		}
		copyPackedLuma(p.y, w, l, bufs)
		return p.y, w, nil
	case pixMJPEG:
		if p.img == nil || p.img.Rect.Dx() != w || p.img.Rect.Dy() != h {
			p.img = newI420(w, h)
		}
		if err := jpegToI420(p.img, data); err != nil {
			return nil, 0, err
		}
		return p.img.Y, p.img.YStride, nil
	}
	return nil, 0, fmt.Errorf("capture: no luma in %v pictures", l.pf)
}
