package aac

import "math"

// applyMS undoes mid/side coding (4.6.8.1) of the bands flagged in msUsed,
// skipping noise and intensity bands.
func applyMS(l, r *channel, msUsed *[8][maxBands]bool) {
	in := &l.info
	win := 0
	for g := range in.numGroups {
		for b := range in.maxSFB {
			if !msUsed[g][b] || l.cb[g][b] >= noiseHCB || r.cb[g][b] >= noiseHCB {
				continue
			}
			lo, hi := int(in.swb[b]), int(in.swb[b+1])
			for w := win; w < win+in.groupLen[g]; w++ {
				for k := w*128 + lo; k < w*128+hi; k++ {
					m, s := l.spec[k], r.spec[k]
					l.spec[k], r.spec[k] = m+s, m-s
				}
			}
		}
		win += in.groupLen[g]
	}
}

// applyIntensity fills the intensity bands of the right channel from the
// left one (4.6.8.2).
// Where invert is set, bands with msUsed set are inverted in phase.
func applyIntensity(l, r *channel, msUsed *[8][maxBands]bool, invert bool) {
	in := &r.info
	win := 0
	for g := range in.numGroups {
		for b := range in.maxSFB {
			cb := r.cb[g][b]
			if cb != intensityHCB && cb != intensityHCB2 {
				continue
			}
			scale := math.Exp2(-0.25 * float64(r.sf[g][b]))
			if cb == intensityHCB2 {
				scale = -scale
			}
			if invert && msUsed[g][b] {
				scale = -scale
			}
			lo, hi := int(in.swb[b]), int(in.swb[b+1])
			for w := win; w < win+in.groupLen[g]; w++ {
				for k := w*128 + lo; k < w*128+hi; k++ {
					r.spec[k] = l.spec[k] * scale
				}
			}
		}
		win += in.groupLen[g]
	}
}

// applyNoise fills the noise bands of ch with random values of the coded
// energy (perceptual noise substitution, 4.6.13). When other is non-nil,
// the bands where msUsed is set and other also has noise reuse other's
// noise shape, as the standard requires for correlated noise.
func (d *Decoder) applyNoise(ch, other *channel, msUsed *[8][maxBands]bool) {
	in := &ch.info
	win := 0
	for g := range in.numGroups {
		for b := range in.maxSFB {
			if ch.cb[g][b] != noiseHCB {
				continue
			}
			gain := math.Exp2(0.25 * float64(ch.sf[g][b]))
			shared := other != nil && msUsed[g][b] && other.cb[g][b] == noiseHCB
			lo, hi := int(in.swb[b]), int(in.swb[b+1])
			for w := win; w < win+in.groupLen[g]; w++ {
				band := ch.spec[w*128+lo : w*128+hi]
				if shared {
					copy(band, other.spec[w*128+lo:w*128+hi])
				} else {
					for i := range band {
						d.seed = d.seed*1664525 + 1013904223
						band[i] = float64(int32(d.seed))
					}
				}
				var e float64
				for _, v := range band {
					e += v * v
				}
				if e > 0 {
					s := gain / math.Sqrt(e)
					for i := range band {
						band[i] *= s
					}
				}
			}
		}
		win += in.groupLen[g]
	}
}
