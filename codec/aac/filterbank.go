package aac

import "math"

// filterbank turns one frame of spectrum into 1024 output samples:
// IMDCT, windowing for the frame's window sequence and shapes, and
// overlap-add with the previous frame (ISO/IEC 14496-3 4.6.11).
type filterbank struct {
	long, short *mdct
	buf         [2048]float64 // windowed output of the current frame
	tmp         [2048]float64
}

func newFilterbank() *filterbank {
	return &filterbank{long: newMDCT(2048), short: newMDCT(256)}
}

// synthesize writes 1024 samples of ch to out and keeps the second half
// of the frame in ch.overlap.
func (f *filterbank) synthesize(ch *channel, out []float64) {
	in := &ch.info
	prev, cur := ch.prevShape, in.windowShape
	buf := &f.buf
	switch in.windowSequence {
	case eightShort:
		clear(buf[:])
		for w := range 8 {
			y := f.tmp[:256]
			f.short.inverse(y, ch.spec[w*128:w*128+128])
			rise := shortWin[cur]
			if w == 0 {
				rise = shortWin[prev]
			}
			fall := shortWin[cur]
			o := buf[448+128*w:]
			for i := range 128 {
				o[i] += y[i] * rise[i]
				o[128+i] += y[128+i] * fall[127-i]
			}
		}
	default:
		f.long.inverse(buf[:], ch.spec[:])
		if in.windowSequence == longStop {
			clear(buf[:448])
			rise := shortWin[prev]
			for i := range 128 {
				buf[448+i] *= rise[i]
			}
		} else {
			rise := longWin[prev]
			for i := range 1024 {
				buf[i] *= rise[i]
			}
		}
		if in.windowSequence == longStart {
			fall := shortWin[cur]
			for i := range 128 {
				buf[1472+i] *= fall[127-i]
			}
			clear(buf[1600:])
		} else {
			fall := longWin[cur]
			for i := range 1024 {
				buf[1024+i] *= fall[1023-i]
			}
		}
	}
	for i := range 1024 {
		out[i] = buf[i] + ch.overlap[i]
	}
	copy(ch.overlap[:], buf[1024:])
	ch.prevShape = cur
	// Hostile scalefactors can overflow to Inf; never carry that (or the
	// NaN it breeds) into the next frame.
	var sum float64
	for _, v := range ch.overlap {
		sum += v * 0 // NaN for Inf or NaN, else 0
	}
	if math.IsNaN(sum) {
		clear(ch.overlap[:])
	}
}
