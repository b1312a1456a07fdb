package aac

const (
	// groupRise starts a new window group where a short window's energy
	// exceeds the group's peak by more than 3 dB: the louder window would
	// set the quantization noise of the quieter ones before it, which is
	// the pre-echo short windows are there to stop.
	groupRise = 2
	// groupFall starts a new group where a window is 12 dB below the
	// group's peak, which keeps post-echo within a short window of a
	// sharp decay.
	groupFall = 16
	// groupFloor is the window energy (sum of squared short-window MDCT
	// coefficients) under which windows count as equally silent: white
	// noise of about 5 LSB RMS.
	groupFloor = 1e6
)

// blockSwitch is the encoder's block switching (ISO/IEC 14496-3
// 4.6.11): it detects attacks one frame ahead, steps the window sequence
// state machine, windows each block for its sequence, and for
// EIGHT_SHORT_SEQUENCE transforms the eight short windows, groups them
// and interleaves their coefficients in bitstream order.
type blockSwitch struct {
	det    [2]transientDetector
	primed bool // the first frame, the lookahead of block 0, has arrived
	seq    int  // window_sequence of the last block
	attack bool // the next block's short-window region holds an attack

	windows  [4][2048]float64 // analysis window by long window_sequence
	short    *mdct
	shortWin [256]float64
	swb      []uint16 // short-window band offsets within the bandwidth
	swbAll   []uint16 // all short-window band offsets

	spec     [2][1024]float64 // short-window coefficients, window by window
	energy   [8]float64
	groupLen [8]int
}

// newBlockSwitch prepares block switching for e, whose bandwidth ends at
// long-window line line.
func newBlockSwitch(e *Encoder, line int) *blockSwitch {
	b := &blockSwitch{short: newMDCT(256), swbAll: swbShort[e.tableIndex]}
	long, short := longWin[shapeSine], shortWin[shapeSine]
	for i := range 128 {
		b.shortWin[i] = short[i]
		b.shortWin[255-i] = short[i]
	}
	// The windows match the decoder's synthesis windows (filterbank.go),
	// so that overlapping halves cancel their aliasing.
	for _, seq := range []int{onlyLong, longStart, longStop} {
		w := &b.windows[seq]
		for i := range 1024 {
			w[i] = long[i]
			w[2047-i] = long[i]
		}
	}
	start := &b.windows[longStart]
	for i := 1024; i < 2048; i++ {
		switch {
		case i < 1472:
			start[i] = 1
		case i < 1600:
			start[i] = short[1599-i]
		default:
			start[i] = 0
		}
	}
	stop := &b.windows[longStop]
	for i := range 1024 {
		switch {
		case i < 448:
			stop[i] = 0
		case i < 576:
			stop[i] = short[i-448]
		default:
			stop[i] = 1
		}
	}
	shortLine := (line + 7) / 8
	nb := len(b.swbAll) - 1
	for i, off := range b.swbAll {
		if int(off) >= shortLine {
			nb = max(i, 1)
			break
		}
	}
	b.swb = b.swbAll[:nb+1]
	b.seq = onlyLong
	return b
}

// reset returns to the state at the start of a stream.
func (b *blockSwitch) reset() {
	for i := range b.det {
		b.det[i].reset()
	}
	b.primed, b.seq, b.attack = false, onlyLong, false
}

// step codes the block spanning the oldest two frames of e.in, with the
// newest as lookahead, and appends it to dst. The first call only primes
// the lookahead and appends nothing.
func (b *blockSwitch) step(e *Encoder, dst []byte) []byte {
	nch := e.cfg.Channels
	attack := false
	for c := range nch {
		if b.det[c].push(e.in[c][2048:]) {
			attack = true
		}
	}
	if !b.primed {
		b.primed, b.attack = true, attack
		return dst
	}
	seq := nextSequence(b.seq, b.attack, attack)
	b.seq, b.attack = seq, attack
	if seq == eightShort {
		b.energy = [8]float64{}
		for c := range nch {
			b.transformShort(e, c)
		}
		ng := groupWindows(&b.energy, &b.groupLen)
		e.q.setShort(b.groupLen[:ng], b.swb)
		for c := range nch {
			interleave(&e.coef[c], &b.spec[c], b.groupLen[:ng], b.swbAll)
		}
	} else {
		e.q.setLong(seq, e.swb[:e.maxBands+1])
		win := &b.windows[seq]
		for c := range nch {
			x := e.in[c][:2048]
			for i := range e.buf {
				e.buf[i] = x[i] * win[i]
			}
			e.mdct.forward(e.coef[c][:], e.buf[:])
		}
	}
	e.blocks++
	return e.encodeFrame(dst)
}

// transformShort computes the eight short-window MDCTs of channel c into
// b.spec[c] and adds each window's energy within the bandwidth to
// b.energy. Window w covers samples 448+128w to 704+128w of the block.
func (b *blockSwitch) transformShort(e *Encoder, c int) {
	x := e.in[c][:2048]
	tmp := e.buf[:256]
	top := int(b.swb[len(b.swb)-1])
	for w := range 8 {
		seg := x[448+128*w : 704+128*w]
		for i := range tmp {
			tmp[i] = seg[i] * b.shortWin[i]
		}
		out := b.spec[c][128*w : 128*w+128]
		b.short.forward(out, tmp)
		var en float64
		for _, v := range out[:top] {
			en += v * v
		}
		b.energy[w] += en
	}
}

// groupWindows splits the eight short windows into groups of similar
// energy (see groupRise and groupFall), writes their lengths to
// groupLen and returns the number of groups.
func groupWindows(energy *[8]float64, groupLen *[8]int) int {
	ng := 0
	var peak float64
	for w, en := range energy {
		rise := en > groupRise*peak+groupFloor
		fall := peak > groupFloor && groupFall*en < peak
		if w == 0 || rise || fall {
			groupLen[ng] = 0
			ng++
			peak = 0
		}
		groupLen[ng-1]++
		peak = max(peak, en)
	}
	return ng
}

// interleave writes the short-window coefficients of spec (window by
// window) to dst in the order of spectral_data: group by group, band by
// band, and within a band window by window (ISO/IEC 14496-3 4.6.2.3).
func interleave(dst, spec *[1024]float64, groupLen []int, swb []uint16) {
	i, w0 := 0, 0
	for _, n := range groupLen {
		for b := range len(swb) - 1 {
			lo, hi := int(swb[b]), int(swb[b+1])
			for w := w0; w < w0+n; w++ {
				i += copy(dst[i:], spec[128*w+lo:128*w+hi])
			}
		}
		w0 += n
	}
}
