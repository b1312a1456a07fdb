package aac

const (
	// attackRatio is how much louder than the recent average a 128-sample
	// sub-block must be to count as an attack: 10 dB. Steady tones and
	// speech vowels vary by a few dB between sub-blocks; claps, knocks
	// and plosives rise by 20 dB and more.
	attackRatio = 10
	// attackFloor is the least mean square per sample (of the first
	// difference of the signal) of an attack sub-block: about -50 dBFS.
	// Quieter attacks are masked or lost in the background noise, and
	// short blocks would only cost bits.
	attackFloor = 100 * 100
	// detectUnit is the length of the energy units the detector keeps.
	// Each 1024-sample frame has 16 of them; two make a sub-block.
	detectUnit = 64
)

// transientDetector finds attacks in the region that the short windows
// of one block cover, from the energies of 128-sample sub-blocks of the
// first difference of the signal (a high-pass filter that favours the
// broadband onset of a transient over low tones) against the average of
// the 1024 samples before each.
//
// push takes frame k and reports whether the region from sample 576 of
// frame k-1 to sample 576 of frame k holds an attack: the centre of the
// eight short windows of the block that spans frames k-1 and k. Deciding
// for that block needs frame k, which is the encoder's lookahead.
type transientDetector struct {
	last   float64     // the previous input sample
	energy [48]float64 // unit energies of frames k-2, k-1 and k
}

// push adds 1024 samples and reports an attack in the current region.
func (d *transientDetector) push(x []float64) bool {
	copy(d.energy[:32], d.energy[16:])
	u := d.energy[32:]
	prev := d.last
	for i := range u {
		var e float64
		for _, v := range x[i*detectUnit : (i+1)*detectUnit] {
			diff := v - prev
			e += diff * diff
			prev = v
		}
		u[i] = e
	}
	d.last = prev
	// The region starts at unit 9 of frame k-1: index 25. The recent
	// window is the 16 units before each sub-block.
	var recent float64
	for _, e := range d.energy[9:25] {
		recent += e
	}
	for j := 25; j < 41; j += 2 {
		sub := d.energy[j] + d.energy[j+1]
		avg := recent / 8 // per 128 samples
		if sub >= attackFloor*2*detectUnit && sub > attackRatio*avg {
			return true
		}
		recent += sub - d.energy[j-16] - d.energy[j-15]
	}
	return false
}

// reset forgets the signal, as at the start of a stream.
func (d *transientDetector) reset() { *d = transientDetector{} }

// nextSequence returns the window sequence of a block given the previous
// block's, whether this block's short-window region holds an attack, and
// whether the next block's does (ISO/IEC 14496-3 4.6.11: a long window
// must be followed by a long or LONG_START window, and a short one by a
// short or LONG_STOP window, so that the overlapping halves match).
//
//	ONLY_LONG -> LONG_START -> EIGHT_SHORT ... -> LONG_STOP -> ONLY_LONG
//
// A block whose own region has an attack is short if the previous block
// allowed it; otherwise the encoder missed the lookahead, as at the start
// of a stream, and codes it long.
func nextSequence(prev int, attack, nextAttack bool) int {
	switch prev {
	case longStart:
		return eightShort
	case eightShort:
		if attack || nextAttack {
			return eightShort
		}
		return longStop
	}
	if nextAttack {
		return longStart
	}
	return onlyLong
}
