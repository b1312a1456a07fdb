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
	// maxFrameBands bounds the coded bands of a frame: up to 51 long
	// bands, or 8 groups of up to 15 short bands.
	maxFrameBands = 8 * 16
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
//
// A frame is ng groups of nb bands each (one group for a long window).
// Band b of group g has the flat index g·nb+b and covers coefficients
// lo..hi of the frame in bitstream order: for short windows, the windows
// of a group are interleaved band by band (ISO/IEC 14496-3 4.6.2.3), so
// every band is contiguous and the long-window code serves both.
type quantState struct {
	nch    int
	seq    int    // window_sequence
	ng, nb int    // groups, and coded bands in each
	groups uint32 // scale_factor_grouping
	lo, hi [maxFrameBands]int

	pow34   [2][1024]float64 // sign(x)·|x|^(3/4)
	bandMax [2][maxFrameBands]float64
	offset  [2][maxFrameBands]int // scalefactor offset from the global gain
	ms      [maxFrameBands]bool

	q       [2][1024]int32
	maxQ    [2][maxFrameBands]int32
	sf      [2][maxFrameBands]int
	cb      [2][maxFrameBands]uint8
	maxSFB  int // max_sfb: coded bands of each group
	cost    [maxFrameBands][12]int
	best    [maxFrameBands][12]int
	from    [maxFrameBands][12]int8
	gain    [2]int // global_gain per channel
	specLen [2]int // spectral bits per channel
}

func (s *quantState) init(e *Encoder) {
	s.nch = e.cfg.Channels
	s.setLong(onlyLong, e.swb[:e.maxBands+1])
}

// setLong lays out a long frame of window sequence seq with band
// offsets swb.
func (s *quantState) setLong(seq int, swb []uint16) {
	s.seq, s.ng, s.nb, s.groups = seq, 1, len(swb)-1, 0
	for b := range s.nb {
		s.lo[b], s.hi[b] = int(swb[b]), int(swb[b+1])
	}
}

// setShort lays out an EIGHT_SHORT_SEQUENCE frame whose groups hold
// groupLen windows each, with short-window band offsets swb.
func (s *quantState) setShort(groupLen []int, swb []uint16) {
	s.seq, s.ng, s.nb, s.groups = eightShort, len(groupLen), len(swb)-1, 0
	start := 0
	for g, n := range groupLen {
		for b := range s.nb {
			i := g*s.nb + b
			s.lo[i], s.hi[i] = start+n*int(swb[b]), start+n*int(swb[b+1])
		}
		start += 128 * n
		// One bit per window after the first: 1 if it joins the
		// previous window's group.
		for range n - 1 {
			s.groups = s.groups<<1 | 1
		}
		if g < len(groupLen)-1 {
			s.groups <<= 1
		}
	}
}

// short reports whether the frame has eight short windows.
func (s *quantState) short() bool { return s.seq == eightShort }

// coded reports whether flat band i lies below max_sfb.
func (s *quantState) coded(i int) bool { return i%s.nb < s.maxSFB }

// analyze computes the per-band values the rate loop needs, after the
// mid/side decision has been applied to coef.
func (s *quantState) analyze(coef *[2][1024]float64) {
	for c := range s.nch {
		for b := range s.ng * s.nb {
			lo, hi := s.lo[b], s.hi[b]
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
	}
}

// decideMS chooses mid/side per band for a stereo frame where it lowers
// the product of the two channels' energies (a proxy for their bits),
// and transforms those bands of coef to M = (L+R)/2 and S = (L-R)/2.
func (s *quantState) decideMS(coef *[2][1024]float64) {
	for b := range s.ng * s.nb {
		lo, hi := s.lo[b], s.hi[b]
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
		for b := range s.ng * s.nb {
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
		for b := range s.ng * s.nb {
			sf := min(max(g+s.offset[c][b], 0), 255)
			s.sf[c][b] = sf
			scale := quantGain[sf]
			lo, hi := s.lo[b], s.hi[b]
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
				s.maxSFB = max(s.maxSFB, b%s.nb+1)
			}
		}
	}
	bits := 3 + 4 + s.icsInfoBits() + 3 + 3 // element id and tag, ics_info, flags, END
	if s.nch == 2 {
		bits += 1 + 2 + 3 // common_window, ms_mask_present, second flags
		if s.msPresent() == 1 {
			bits += s.ng * s.maxSFB
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
	for b := range s.ng * s.nb {
		if s.coded(b) && s.ms[b] {
			n++
		}
	}
	switch {
	case n == 0:
		return 0
	case n == s.ng*s.maxSFB:
		return 2
	}
	return 1
}

// icsInfoBits is the size of the frame's ics_info.
func (s *quantState) icsInfoBits() int {
	if s.short() {
		return 1 + 2 + 1 + 4 + 7
	}
	return 1 + 2 + 1 + 6 + 1
}

// sectionLenBits is the width of a section_data length field.
func (s *quantState) sectionLenBits() int {
	if s.short() {
		return 3
	}
	return 5
}
