package v4l2cam

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
)

// pixfmt is a raw picture format the V4L2 source can take from a camera
// or give to an encoder.
type pixfmt int

const (
	pixYUYV  pixfmt = iota + 1 // packed 4:2:2, Y0 Cb Y1 Cr
	pixUYVY                    // packed 4:2:2, Cb Y0 Cr Y1
	pixNV12                    // Y plane, then interleaved CbCr at half height
	pixYU12                    // I420: Y plane, Cb plane, Cr plane
	pixMJPEG                   // one JPEG per buffer
)

func (p pixfmt) String() string {
	switch p {
	case pixYUYV:
		return "yuyv"
	case pixUYVY:
		return "uyvy"
	case pixNV12:
		return "nv12"
	case pixYU12:
		return "yu12"
	case pixMJPEG:
		return "mjpeg"
	}
	return fmt.Sprintf("pixfmt(%d)", int(p))
}

// errShortBuffer means a buffer is smaller than its format says.
var errShortBuffer = errors.New("capture: picture buffer is shorter than its format")

// planeLoc is where one plane of a picture lies: in memory plane buf of
// the buffer, from off, rows of rowBytes every stride bytes.
type planeLoc struct {
	buf, off, stride, rowBytes, rows int
}

// end is the byte after the plane's last row.
func (p planeLoc) end() int { return p.off + p.stride*(p.rows-1) + p.rowBytes }

// layout is where the planes of a raw picture lie in the memory planes
// of a V4L2 buffer.
type layout struct {
	pf     pixfmt
	w, h   int
	planes []planeLoc // packed: one; nv12: Y, CbCr; yu12: Y, Cb, Cr
}

// newLayout computes the layout of a w x h picture of format pf from
// what the driver reported for each memory plane: bytes per line and
// image size. Single-planar formats keep their chroma right after the
// luma, at bytesPerLine x alignedHeight; see alignedHeight.
func newLayout(pf pixfmt, w, h int, bytesPerLine, sizeImage []int) (layout, error) {
	l := layout{pf: pf, w: w, h: h}
	if w <= 0 || h <= 0 || len(bytesPerLine) == 0 || len(bytesPerLine) != len(sizeImage) {
		return l, fmt.Errorf("capture: bad picture layout %v %dx%d", pf, w, h)
	}
	bpl := bytesPerLine[0]
	cw, ch := (w+1)/2, (h+1)/2
	switch pf {
	case pixYUYV, pixUYVY:
		if bpl == 0 {
			bpl = 2 * w
		}
		l.planes = []planeLoc{{0, 0, bpl, 2 * w, h}}
	case pixNV12:
		if bpl == 0 {
			bpl = w
		}
		uv := planeLoc{0, bpl * alignedHeight(h, bpl, sizeImage[0], 3), bpl, 2 * cw, ch}
		if len(bytesPerLine) >= 2 { // NV12M
			uv = planeLoc{1, 0, orInt(bytesPerLine[1], bpl), 2 * cw, ch}
		}
		l.planes = []planeLoc{{0, 0, bpl, w, h}, uv}
	case pixYU12:
		if bpl == 0 {
			bpl = w
		}
		ah := alignedHeight(h, bpl, sizeImage[0], 3)
		cstride := bpl / 2
		u := planeLoc{0, bpl * ah, cstride, cw, ch}
		v := planeLoc{0, u.off + cstride*((ah+1)/2), cstride, cw, ch}
		if len(bytesPerLine) >= 3 { // YUV420M
			u = planeLoc{1, 0, orInt(bytesPerLine[1], cstride), cw, ch}
			v = planeLoc{2, 0, orInt(bytesPerLine[2], cstride), cw, ch}
		}
		l.planes = []planeLoc{{0, 0, bpl, w, h}, u, v}
	default:
		return l, fmt.Errorf("capture: no raw layout for %v", pf)
	}
	for _, p := range l.planes {
		if p.stride < p.rowBytes {
			return l, fmt.Errorf("capture: %v %dx%d: %d bytes per line is too few", pf, w, h, p.stride)
		}
	}
	return l, nil
}

// alignedHeight returns the number of luma rows after which a
// single-planar 4:2:0 picture's chroma starts: h, unless the driver's
// image size shows room for h rounded up to 16 rows (as the Raspberry
// Pi's codec lays out its buffers). num/2 is the bytes per pixel, times
// two: 3 for 4:2:0.
func alignedHeight(h, bpl, sizeImage, num int) int {
	a := (h + 15) &^ 15
	if a != h && sizeImage >= bpl*a*num/2 {
		return a
	}
	return h
}

func orInt(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

// check reports whether bufs hold every plane of l.
func (l layout) check(bufs [][]byte) error {
	for _, p := range l.planes {
		if p.buf >= len(bufs) || p.rows <= 0 || p.end() > len(bufs[p.buf]) {
			return fmt.Errorf("%w: %v %dx%d", errShortBuffer, l.pf, l.w, l.h)
		}
	}
	return nil
}

// row returns row y of plane i.
func (l layout) row(bufs [][]byte, i, y int) []byte {
	p := l.planes[i]
	o := p.off + y*p.stride
	return bufs[p.buf][o : o+p.rowBytes]
}

// newI420 allocates an I420 picture (Y, Cb, Cr planes without padding).
func newI420(w, h int) *image.YCbCr {
	return image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
}

// toI420 converts the picture in bufs, laid out as src, into dst, which
// must be an I420 picture of the same size. It allocates nothing.
// 4:2:2 chroma is averaged over each pair of rows.
func toI420(dst *image.YCbCr, src layout, bufs [][]byte) error {
	w, h := src.w, src.h
	if dst.Rect.Dx() != w || dst.Rect.Dy() != h || dst.SubsampleRatio != image.YCbCrSubsampleRatio420 {
		return fmt.Errorf("capture: convert %v %dx%d into %v %v", src.pf, w, h, dst.SubsampleRatio, dst.Rect)
	}
	if err := src.check(bufs); err != nil {
		return err
	}
	cw := (w + 1) / 2
	switch src.pf {
	case pixYUYV, pixUYVY:
		copyPackedLuma(dst.Y, dst.YStride, src, bufs)
		co := 1 // YUYV: Cb Cr at 1 and 3
		if src.pf == pixUYVY {
			co = 0
		}
		for y := 0; y < h; y += 2 {
			row := src.row(bufs, 0, y)
			next := row
			if y+1 < h {
				next = src.row(bufs, 0, y+1)
			}
			cb := dst.Cb[y/2*dst.CStride : y/2*dst.CStride+cw]
			cr := dst.Cr[y/2*dst.CStride : y/2*dst.CStride+cw]
			for x := range cb {
				i := 4*x + co
				if i+2 >= len(row) { // odd width: the last pair is half there
					i -= 4
				}
				cb[x] = byte((uint(row[i]) + uint(next[i]) + 1) >> 1)
				cr[x] = byte((uint(row[i+2]) + uint(next[i+2]) + 1) >> 1)
			}
		}
	case pixNV12:
		copyLuma(dst, src, bufs)
		for y := 0; y < (h+1)/2; y++ {
			uv := src.row(bufs, 1, y)
			cb := dst.Cb[y*dst.CStride : y*dst.CStride+cw]
			cr := dst.Cr[y*dst.CStride : y*dst.CStride+cw]
			for x := range cb {
				cb[x], cr[x] = uv[2*x], uv[2*x+1]
			}
		}
	case pixYU12:
		copyLuma(dst, src, bufs)
		for y := 0; y < (h+1)/2; y++ {
			copy(dst.Cb[y*dst.CStride:y*dst.CStride+cw], src.row(bufs, 1, y))
			copy(dst.Cr[y*dst.CStride:y*dst.CStride+cw], src.row(bufs, 2, y))
		}
	default:
		return fmt.Errorf("capture: cannot convert %v to I420", src.pf)
	}
	return nil
}

// copyPackedLuma copies the luma of a packed 4:2:2 picture (YUYV: Y at
// even bytes; UYVY: at odd ones) in bufs, laid out as src, into dst, its
// rows stride bytes apart.
func copyPackedLuma(dst []byte, stride int, src layout, bufs [][]byte) {
	yo := 0
	if src.pf == pixUYVY {
		yo = 1
	}
	for y := 0; y < src.h; y++ {
		row := src.row(bufs, 0, y)
		out := dst[y*stride : y*stride+src.w]
		for x := range out {
			out[x] = row[2*x+yo]
		}
	}
}

func copyLuma(dst *image.YCbCr, src layout, bufs [][]byte) {
	for y := 0; y < src.h; y++ {
		copy(dst.Y[y*dst.YStride:y*dst.YStride+src.w], src.row(bufs, 0, y))
	}
}

// fromI420 writes the I420 picture src into bufs, laid out as dst
// (yu12 or nv12, the formats encoders take). It allocates nothing.
func fromI420(dst layout, bufs [][]byte, src *image.YCbCr) error {
	w, h := dst.w, dst.h
	if src.Rect.Dx() != w || src.Rect.Dy() != h || src.SubsampleRatio != image.YCbCrSubsampleRatio420 {
		return fmt.Errorf("capture: convert %v %v into %v %dx%d", src.SubsampleRatio, src.Rect, dst.pf, w, h)
	}
	if err := dst.check(bufs); err != nil {
		return err
	}
	for y := 0; y < h; y++ {
		copy(dst.row(bufs, 0, y), src.Y[y*src.YStride:y*src.YStride+w])
	}
	cw := (w + 1) / 2
	for y := 0; y < (h+1)/2; y++ {
		cb := src.Cb[y*src.CStride : y*src.CStride+cw]
		cr := src.Cr[y*src.CStride : y*src.CStride+cw]
		switch dst.pf {
		case pixYU12:
			copy(dst.row(bufs, 1, y), cb)
			copy(dst.row(bufs, 2, y), cr)
		case pixNV12:
			uv := dst.row(bufs, 1, y)
			for x := range cb {
				uv[2*x], uv[2*x+1] = cb[x], cr[x]
			}
		default:
			return fmt.Errorf("capture: cannot convert I420 to %v", dst.pf)
		}
	}
	return nil
}

// copyPicture copies a picture between two layouts of the same format
// and size whose strides may differ. It allocates nothing.
func copyPicture(dst layout, dbufs [][]byte, src layout, sbufs [][]byte) error {
	if dst.pf != src.pf || dst.w != src.w || dst.h != src.h || len(dst.planes) != len(src.planes) {
		return fmt.Errorf("capture: copy %v %dx%d into %v %dx%d", src.pf, src.w, src.h, dst.pf, dst.w, dst.h)
	}
	if err := src.check(sbufs); err != nil {
		return err
	}
	if err := dst.check(dbufs); err != nil {
		return err
	}
	for i, p := range src.planes {
		for y := range p.rows {
			copy(dst.row(dbufs, i, y), src.row(sbufs, i, y))
		}
	}
	return nil
}

// jpegToI420 decodes one MJPEG frame into dst, an I420 picture of the
// frame's size. Decoding allocates (image/jpeg has no reusable decoder).
func jpegToI420(dst *image.YCbCr, data []byte) error {
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("capture: MJPEG frame: %w", err)
	}
	w, h := dst.Rect.Dx(), dst.Rect.Dy()
	if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
		return fmt.Errorf("capture: MJPEG frame is %dx%d, want %dx%d", b.Dx(), b.Dy(), w, h)
	}
	cw, ch := (w+1)/2, (h+1)/2
	switch m := img.(type) {
	case *image.YCbCr:
		for y := range h {
			copy(dst.Y[y*dst.YStride:y*dst.YStride+w], m.Y[m.YOffset(m.Rect.Min.X, m.Rect.Min.Y+y):])
		}
		for y := range ch {
			for x := range cw {
				// Average the source chroma samples that cover this 2x2
				// block (one for 4:2:0, two for 4:2:2, four for 4:4:4).
				var cb, cr, n uint
				for dy := 0; dy < 2 && 2*y+dy < h; dy++ {
					for dx := 0; dx < 2 && 2*x+dx < w; dx++ {
						i := m.COffset(m.Rect.Min.X+2*x+dx, m.Rect.Min.Y+2*y+dy)
						cb += uint(m.Cb[i])
						cr += uint(m.Cr[i])
						n++
					}
				}
				dst.Cb[y*dst.CStride+x] = byte((cb + n/2) / n)
				dst.Cr[y*dst.CStride+x] = byte((cr + n/2) / n)
			}
		}
	case *image.Gray:
		for y := range h {
			copy(dst.Y[y*dst.YStride:y*dst.YStride+w], m.Pix[y*m.Stride:])
		}
		for y := range ch {
			for x := range cw {
				dst.Cb[y*dst.CStride+x], dst.Cr[y*dst.CStride+x] = 128, 128
			}
		}
	default:
		return fmt.Errorf("capture: MJPEG frame decodes to %T, not YCbCr", img)
	}
	return nil
}
