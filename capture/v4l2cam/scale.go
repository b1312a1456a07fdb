package v4l2cam

import (
	"errors"
	"fmt"
)

// errScale means a scaler cannot be made for the sizes or formats asked.
var errScale = errors.New("capture: cannot scale")

// scaler shrinks raw pictures by area averaging (a box filter): each
// output sample is the mean of the source area it covers, a source
// sample that lies partly inside counting for the part that does. It
// reads YUYV, UYVY, NV12 or YU12 and writes YU12 (I420) or NV12, the
// formats encoders take, each component on its own: 4:2:2 chroma is
// averaged down to 4:2:0 on the way. Both sizes must be even, and the
// output no larger than the input on either side.
//
// Its tables and row buffers are made once, by newScaler; scale
// allocates nothing. One goroutine uses a scaler at a time.
type scaler struct {
	src, dst layout
	comps    [3]scaleComp // Y, Cb, Cr
}

// component is where one colour component of a raw picture lies: in
// plane p of its layout, sample x of a row is at byte off + x*step of
// the row; the component is w x h samples.
type component struct{ p, off, step, w, h int }

// scaleComp scales one component.
type scaleComp struct {
	s, d component
	x, y axis
	// vrow holds, for the output row being made, the vertical sums (or
	// weighted sums) of the source rows it covers, one per source sample.
	vrow []uint32
	// recip is 65536 / (x.taps * y.taps), rounded, when both axes have
	// an integer ratio: the mean of a box sum is (sum*recip + 32768) >> 16.
	recip uint32
}

// Fixed-point precision of the weights of non-integer ratios: the
// weights of one output sample sum to 1 << weightBits on each axis.
const weightBits = 12

// axis maps the output samples of one direction to the source samples
// they cover.
type axis struct {
	taps  int     // source samples summed per output sample
	start []int32 // first source sample of each output sample
	// weight holds taps weights per output sample, summing to
	// 1 << weightBits, for a non-integer ratio; nil for an integer one
	// (every covered sample counts the same).
	weight []uint16
}

// newAxis maps dn output samples onto sn source samples, dn <= sn.
// Output sample o covers [o*sn/dn, (o+1)*sn/dn) of the source; in units
// of 1/dn of a source sample, source sample i covers [i*dn, (i+1)*dn)
// and output sample o covers [o*sn, (o+1)*sn).
func newAxis(sn, dn int) axis {
	a := axis{start: make([]int32, dn)}
	if sn%dn == 0 {
		a.taps = sn / dn
		for o := range dn {
			a.start[o] = int32(o * a.taps)
		}
		return a
	}
	for o := range dn {
		first, last := o*sn/dn, ((o+1)*sn-1)/dn
		a.taps = max(a.taps, last-first+1)
	}
	a.weight = make([]uint16, dn*a.taps)
	for o := range dn {
		lo, hi := o*sn, (o+1)*sn
		first := lo / dn
		// Keep the window inside the source: the last output samples
		// start earlier, with zero weights in front.
		start := min(first, sn-a.taps)
		a.start[o] = int32(start)
		// Cumulative rounding: each weight within one of its exact
		// value, and the weights sum to exactly 1 << weightBits, so
		// that a flat picture stays flat.
		covered, prev := 0, 0
		for i := first; i*dn < hi; i++ {
			covered += min((i+1)*dn, hi) - max(i*dn, lo)
			cum := (covered<<weightBits + sn/2) / sn
			a.weight[o*a.taps+i-start] = uint16(cum - prev)
			prev = cum
		}
	}
	return a
}

// components returns the Y, Cb and Cr components of a w x h picture of
// format pf, laid out as newLayout lays it out.
func components(pf pixfmt, w, h int) ([3]component, bool) {
	cw, ch := w/2, h/2
	switch pf {
	case pixYUYV:
		return [3]component{{0, 0, 2, w, h}, {0, 1, 4, cw, h}, {0, 3, 4, cw, h}}, true
	case pixUYVY:
		return [3]component{{0, 1, 2, w, h}, {0, 0, 4, cw, h}, {0, 2, 4, cw, h}}, true
	case pixNV12:
		return [3]component{{0, 0, 1, w, h}, {1, 0, 2, cw, ch}, {1, 1, 2, cw, ch}}, true
	case pixYU12:
		return [3]component{{0, 0, 1, w, h}, {1, 0, 1, cw, ch}, {2, 0, 1, cw, ch}}, true
	}
	return [3]component{}, false
}

// fits reports whether every row of c lies within the rows of its plane
// in l.
func (c component) fits(l layout) bool {
	if c.p >= len(l.planes) || c.w <= 0 || c.h <= 0 {
		return false
	}
	p := l.planes[c.p]
	return p.rows >= c.h && p.rowBytes >= c.off+(c.w-1)*c.step+1
}

// newScaler returns a scaler from pictures laid out as src to pictures
// laid out as dst. Errors match errScale and say what is wrong.
func newScaler(src, dst layout) (*scaler, error) {
	bad := func(format string, args ...any) (*scaler, error) {
		return nil, fmt.Errorf("%w %v %dx%d to %v %dx%d: %s", errScale, src.pf, src.w, src.h, dst.pf, dst.w, dst.h, fmt.Sprintf(format, args...))
	}
	switch {
	case src.w <= 0 || src.h <= 0 || dst.w <= 0 || dst.h <= 0:
		return bad("empty picture")
	case src.w%2 != 0 || src.h%2 != 0 || dst.w%2 != 0 || dst.h%2 != 0:
		return bad("sizes must be even (4:2:0 chroma covers 2x2 pixels)")
	case dst.w > src.w || dst.h > src.h:
		return bad("scaling only shrinks")
	case src.w > maxV4L2Side || src.h > maxV4L2Side:
		return bad("larger than %d pixels a side", maxV4L2Side)
	}
	sc, ok := components(src.pf, src.w, src.h)
	if !ok || src.pf == pixMJPEG {
		return bad("cannot read %v", src.pf)
	}
	dc, ok := components(dst.pf, dst.w, dst.h)
	if !ok || (dst.pf != pixYU12 && dst.pf != pixNV12) {
		return bad("can write yu12 or nv12 only")
	}
	s := &scaler{src: src, dst: dst}
	for i := range s.comps {
		if !sc[i].fits(src) || !dc[i].fits(dst) {
			return bad("a layout's rows are too short for the picture")
		}
		c := scaleComp{s: sc[i], d: dc[i], x: newAxis(sc[i].w, dc[i].w), y: newAxis(sc[i].h, dc[i].h), vrow: make([]uint32, sc[i].w)}
		if n := c.x.taps * c.y.taps; c.x.weight == nil && c.y.weight == nil && n <= 256 {
			c.recip = uint32((65536 + n/2) / n)
		} else if c.x.weight == nil || c.y.weight == nil {
			// Mixed or very large integer ratios: weigh both axes.
			c.x, c.y = weighted(sc[i].w, dc[i].w), weighted(sc[i].h, dc[i].h)
		}
		s.comps[i] = c
	}
	return s, nil
}

// weighted returns the axis of newAxis with weights even for an integer
// ratio.
func weighted(sn, dn int) axis {
	a := newAxis(sn, dn)
	if a.weight != nil {
		return a
	}
	a.weight = make([]uint16, dn*a.taps)
	for o := range dn {
		prev := 0
		for k := range a.taps {
			cum := ((k+1)<<weightBits + a.taps/2) / a.taps
			a.weight[o*a.taps+k] = uint16(cum - prev)
			prev = cum
		}
	}
	return a
}

// scale scales the picture in sbufs, laid out as the scaler's src, into
// dbufs, laid out as its dst. It allocates nothing.
func (s *scaler) scale(dbufs, sbufs [][]byte) error {
	if err := s.src.check(sbufs); err != nil {
		return err
	}
	if err := s.dst.check(dbufs); err != nil {
		return err
	}
	for i := range s.comps {
		c := &s.comps[i]
		if c.recip != 0 {
			c.box(s.dst, dbufs, s.src, sbufs)
		} else {
			c.weigh(s.dst, dbufs, s.src, sbufs)
		}
	}
	return nil
}

// box scales a component whose ratio is an integer on both axes: each
// output sample is the rounded mean of a box of source samples.
func (c *scaleComp) box(dst layout, dbufs [][]byte, src layout, sbufs [][]byte) {
	v := c.vrow
	for oy := range c.d.h {
		sy := int(c.y.start[oy])
		if c.x.taps == 2 && (c.y.taps == 2 || c.y.taps == 4) {
			// The usual 2:1, and 4:2:2 chroma's 2x4: no row of sums in
			// between.
			row := func(k int) []byte { return src.row(sbufs, c.s.p, sy+k)[c.s.off:] }
			out := dst.row(dbufs, c.d.p, oy)[c.d.off:]
			if c.y.taps == 2 {
				box22(out, c.d.step, row(0), row(1), c.s.step, c.d.w)
			} else {
				box24(out, c.d.step, row(0), row(1), row(2), row(3), c.s.step, c.d.w)
			}
			continue
		}
		for k := range c.y.taps {
			row := src.row(sbufs, c.s.p, sy+k)[c.s.off:]
			if k == 0 {
				setRow(v, row, c.s.step)
			} else {
				addRow(v, row, c.s.step)
			}
		}
		out := dst.row(dbufs, c.d.p, oy)[c.d.off:]
		boxRow(out, c.d.step, v, c.x.taps, c.recip)
	}
}

// box22 writes n samples every ostep bytes of out, each the mean of a
// 2x2 box of samples every step bytes of rows r0 and r1.
func box22(out []byte, ostep int, r0, r1 []byte, step, n int) {
	if step == 1 && ostep == 1 {
		out, r0, r1 = out[:n], r0[:2*n], r1[:2*n]
		for o := range out {
			out[o] = byte((uint(r0[2*o]) + uint(r0[2*o+1]) + uint(r1[2*o]) + uint(r1[2*o+1]) + 2) >> 2)
		}
		return
	}
	end := (2*n-1)*step + 1
	r0, r1 = r0[:end], r1[:end]
	for o := range n {
		i := 2 * o * step
		out[o*ostep] = byte((uint(r0[i]) + uint(r0[i+step]) + uint(r1[i]) + uint(r1[i+step]) + 2) >> 2)
	}
}

// box24 writes n samples every ostep bytes of out, each the mean of a
// box two samples wide (every step bytes) and four rows high: 4:2:2
// chroma halved.
func box24(out []byte, ostep int, r0, r1, r2, r3 []byte, step, n int) {
	end := (2*n-1)*step + 1
	r0, r1, r2, r3 = r0[:end], r1[:end], r2[:end], r3[:end]
	for o := range n {
		i := 2 * o * step
		j := i + step
		sum := uint(r0[i]) + uint(r0[j]) + uint(r1[i]) + uint(r1[j]) + uint(r2[i]) + uint(r2[j]) + uint(r3[i]) + uint(r3[j])
		out[o*ostep] = byte((sum + 4) >> 3)
	}
}

// setRow sets v[x] to row[x*step].
func setRow(v []uint32, row []byte, step int) {
	switch step {
	case 1:
		row = row[:len(v)]
		for x := range v {
			v[x] = uint32(row[x])
		}
	case 2:
		row = row[:2*len(v)-1]
		for x := range v {
			v[x] = uint32(row[2*x])
		}
	default:
		for x := range v {
			v[x] = uint32(row[x*step])
		}
	}
}

// addRow adds row[x*step] to v[x].
func addRow(v []uint32, row []byte, step int) {
	switch step {
	case 1:
		row = row[:len(v)]
		for x := range v {
			v[x] += uint32(row[x])
		}
	case 2:
		row = row[:2*len(v)-1]
		for x := range v {
			v[x] += uint32(row[2*x])
		}
	default:
		for x := range v {
			v[x] += uint32(row[x*step])
		}
	}
}

// boxRow writes out[o*step] as the mean of v[o*taps : (o+1)*taps], for
// each output sample o that fits in v.
func boxRow(out []byte, step int, v []uint32, taps int, recip uint32) {
	n := len(v) / taps
	switch {
	case taps == 2 && step == 1:
		out = out[:n]
		v = v[:2*n]
		for o := range out {
			out[o] = byte(((v[2*o]+v[2*o+1])*recip + 1<<15) >> 16)
		}
	case taps == 2:
		for o := range n {
			out[o*step] = byte(((v[2*o]+v[2*o+1])*recip + 1<<15) >> 16)
		}
	default:
		for o := range n {
			var sum uint32
			for _, s := range v[o*taps : (o+1)*taps] {
				sum += s
			}
			out[o*step] = byte((sum*recip + 1<<15) >> 16)
		}
	}
}

// weigh scales a component with weights: vertical weighted sums of the
// source rows an output row covers, then horizontal ones.
func (c *scaleComp) weigh(dst layout, dbufs [][]byte, src layout, sbufs [][]byte) {
	v := c.vrow
	for oy := range c.d.h {
		sy := int(c.y.start[oy])
		ws := c.y.weight[oy*c.y.taps : (oy+1)*c.y.taps]
		first := true
		for k, w := range ws {
			if w == 0 {
				continue
			}
			row := src.row(sbufs, c.s.p, sy+k)[c.s.off:]
			weighRow(v, row, c.s.step, uint32(w), first)
			first = false
		}
		out := dst.row(dbufs, c.d.p, oy)[c.d.off:]
		// v holds Q12 values up to 255 << 12: shifted down by 4, times
		// Q12 weights, they sum below 1 << 28.
		taps := c.x.taps
		for o := range c.d.w {
			sx := int(c.x.start[o])
			var sum uint32
			for k, w := range c.x.weight[o*taps : (o+1)*taps] {
				sum += v[sx+k] >> 4 * uint32(w)
			}
			out[o*c.d.step] = byte((sum + 1<<(2*weightBits-5)) >> (2*weightBits - 4))
		}
	}
}

// weighRow sets (first) or adds w*row[x*step] to v[x].
func weighRow(v []uint32, row []byte, step int, w uint32, first bool) {
	// Loops with both indexes bounded by their slices' lengths carry no
	// bounds checks.
	switch {
	case step == 2 && first:
		for x, i := 0, 0; x < len(v) && i < len(row); x, i = x+1, i+2 {
			v[x] = uint32(row[i]) * w
		}
	case step == 2:
		for x, i := 0, 0; x < len(v) && i < len(row); x, i = x+1, i+2 {
			v[x] += uint32(row[i]) * w
		}
	case step == 4 && first:
		for x, i := 0, 0; x < len(v) && i < len(row); x, i = x+1, i+4 {
			v[x] = uint32(row[i]) * w
		}
	case step == 4:
		for x, i := 0, 0; x < len(v) && i < len(row); x, i = x+1, i+4 {
			v[x] += uint32(row[i]) * w
		}
	case first:
		for x, i := 0, 0; x < len(v) && i < len(row); x, i = x+1, i+step {
			v[x] = uint32(row[i]) * w
		}
	default:
		for x, i := 0, 0; x < len(v) && i < len(row); x, i = x+1, i+step {
			v[x] += uint32(row[i]) * w
		}
	}
}

// i420Layout returns the layout of an I420 picture made by newI420 (Y,
// Cb and Cr in bufs 0, 1 and 2, rows without padding), to scale into it
// or out of it: pass [][]byte{pic.Y, pic.Cb, pic.Cr}.
func i420Layout(w, h int) layout {
	cw, ch := (w+1)/2, (h+1)/2
	return layout{pf: pixYU12, w: w, h: h, planes: []planeLoc{
		{0, 0, w, w, h}, {1, 0, cw, cw, ch}, {2, 0, cw, cw, ch},
	}}
}
