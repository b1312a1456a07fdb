package aac

import "math"

const (
	// roundOffset is the quantizer's rounding offset (ISO/IEC 14496-3
	// informative encoder: 0.4054 rather than 0.5 minimizes the error of
	// the x^(3/4) companded values).
	roundOffset = 0.4054
	// noiseTilt is how much the allowed noise follows the band's energy
	// density: 0 gives flat noise (best SNR), 1 constant SNR per band.
	noiseTilt = 0.2
	// msOffset lowers the scalefactor of mid/side bands by 3 dB, since
	// l = m+s and r = m-s sum the noise of both.
	msOffset = -2
	// infBits marks an impossible codebook.
	infBits = 1 << 30
)

// quantGain is 2^(-3/16·(sf-100)), the inverse of the dequantizer's gain
// in the x^(3/4) domain.
var quantGain = func() (t [256]float64) {
	for i := range t {
		t[i] = math.Exp2(-3.0 / 16 * float64(i-100))
	}
	return t
}()

// quantState holds one frame's analysis and the result of the last rate
// loop trial.
type quantState struct {
	nch, nb int
	swb     []uint16

	pow34   [2][1024]float64 // sign(x)·|x|^(3/4)
	bandMax [2][maxBands]float64
	offset  [2][maxBands]int // scalefactor offset from the global gain
	ms      [maxBands]bool
	msCount int

	q       [2][1024]int32
	maxQ    [2][maxBands]int32
	sf      [2][maxBands]int
	cb      [2][maxBands]uint8
	maxSFB  int
	cost    [maxBands][12]int
	best    [maxBands][12]int
	from    [maxBands][12]int8
	gain    [2]int // global_gain per channel
	specLen [2]int // spectral bits per channel
}

func (s *quantState) init(e *Encoder) {
	s.nch = e.cfg.Channels
	s.nb = e.maxBands
	s.swb = e.swb
}

// analyze computes the per-band values the rate loop needs, after the
// mid/side decision has been applied to coef.
func (s *quantState) analyze(coef *[2][1024]float64) {
	for c := range s.nch {
		for b := range s.nb {
			lo, hi := int(s.swb[b]), int(s.swb[b+1])
			var m, energy float64
			for k := lo; k < hi; k++ {
				x := coef[c][k]
				a := math.Abs(x)
				p := math.Sqrt(math.Sqrt(a * a * a)) // |x|^(3/4)
				m = max(m, p)
				if x < 0 {
					p = -p
				}
				s.pow34[c][k] = p
				energy += x * x
			}
			s.bandMax[c][b] = m
			density := energy / float64(hi-lo)
			off := int(math.Round(2 * noiseTilt * math.Log2(density+1)))
			if s.ms[b] {
				off += msOffset
			}
			s.offset[c][b] = off
		}
		clear(s.pow34[c][s.swb[s.nb]:])
	}
}

// decideMS chooses mid/side per band for a stereo frame where it lowers
// the product of the two channels' energies (a proxy for their bits),
// and transforms those bands of coef to M = (L+R)/2 and S = (L-R)/2.
func (s *quantState) decideMS(coef *[2][1024]float64) {
	s.msCount = 0
	for b := range s.nb {
		lo, hi := int(s.swb[b]), int(s.swb[b+1])
		var el, er, em, es float64
		for k := lo; k < hi; k++ {
			l, r := coef[0][k], coef[1][k]
			el += l * l
			er += r * r
			m, d := (l+r)/2, (l-r)/2
			em += m * m
			es += d * d
		}
		s.ms[b] = em*es < 0.5*el*er
		if s.ms[b] {
			s.msCount++
			for k := lo; k < hi; k++ {
				l, r := coef[0][k], coef[1][k]
				coef[0][k], coef[1][k] = (l+r)/2, (l-r)/2
			}
		}
	}
}

// gainRange returns the global gains for which every band's scalefactor
// lies in 0..255 and its quantized values fit the escape codebook.
func (s *quantState) gainRange() (lo, hi int) {
	lo, hi = 0, 255
	for c := range s.nch {
		for b := range s.nb {
			off := s.offset[c][b]
			lo = max(lo, -off)
			hi = min(hi, 255-off)
			if m := s.bandMax[c][b]; m > 0 {
				// m·2^(-3/16(sf-100)) + 0.4054 <= 8191
				need := 100 + 16.0/3*math.Log2(m/(maxQuant-1))
				lo = max(lo, int(math.Ceil(need))-off)
			}
		}
	}
	return lo, max(lo, hi)
}

// count quantizes the frame with global gain g and returns its exact
// size in bits, leaving the quantized values, codebooks and scalefactors
// in s.
func (s *quantState) count(g int) int {
	s.maxSFB = 0
	for c := range s.nch {
		for b := range s.nb {
			sf := min(max(g+s.offset[c][b], 0), 255)
			s.sf[c][b] = sf
			scale := quantGain[sf]
			lo, hi := int(s.swb[b]), int(s.swb[b+1])
			var mq int32
			if s.bandMax[c][b]*scale+roundOffset >= 1 {
				for k := lo; k < hi; k++ {
					p := s.pow34[c][k]
					v := int32(math.Abs(p)*scale + roundOffset)
					mq = max(mq, v)
					if p < 0 {
						v = -v
					}
					s.q[c][k] = v
				}
			} else {
				clear(s.q[c][lo:hi])
			}
			s.maxQ[c][b] = mq
			if mq > 0 {
				s.maxSFB = max(s.maxSFB, b+1)
			}
		}
	}
	bits := 3 + 4 + 11 + 3 + 3 // element id and tag, ics_info, flags, END
	if s.nch == 2 {
		bits += 1 + 2 + 3 // common_window, ms_mask_present, second flags
		if s.msPresent() == 1 {
			bits += s.maxSFB
		}
	}
	for c := range s.nch {
		bits += 8 + s.sections(c) + s.scalefactorBits(c)
	}
	return (bits + 7) &^ 7
}

// msPresent returns the ms_mask_present value for the frame.
func (s *quantState) msPresent() int {
	n := 0
	for b := range s.maxSFB {
		if s.ms[b] {
			n++
		}
	}
	switch {
	case n == 0:
		return 0
	case n == s.maxSFB:
		return 2
	}
	return 1
}
