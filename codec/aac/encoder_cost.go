package aac

// sections chooses the codebook of each coded band of channel c, group
// by group, and returns the section and spectral bits.
func (s *quantState) sections(c int) int {
	s.specLen[c] = 0
	bits := 0
	for g := range s.ng {
		bits += s.groupSections(c, g*s.nb)
	}
	return bits
}

// groupSections chooses the codebooks of the coded bands from flat
// index base by a shortest path over (band, codebook) where starting a
// section costs its header, adds the spectral bits to s.specLen[c] and
// returns the section and spectral bits.
func (s *quantState) groupSections(c, base int) int {
	n := s.maxSFB
	if n == 0 {
		return 0
	}
	lenBits := s.sectionLenBits()
	esc := 1<<lenBits - 1
	for b := base; b < base+n; b++ {
		s.bandCosts(c, b)
	}
	for b := base; b < base+n; b++ {
		minPrev, argPrev := 0, int8(-1)
		if b > base {
			minPrev = infBits
			for k, v := range s.best[b-1] {
				if v < minPrev {
					minPrev, argPrev = v, int8(k)
				}
			}
		}
		start := minPrev + 4 + lenBits
		for k := range 12 {
			cost := s.cost[b][k]
			if cost >= infBits {
				s.best[b][k] = infBits
				continue
			}
			if b > base && s.best[b-1][k] <= start {
				s.best[b][k] = s.best[b-1][k] + cost
				s.from[b][k] = int8(k)
			} else {
				s.best[b][k] = start + cost
				s.from[b][k] = argPrev
			}
		}
	}
	last := base + n - 1
	k := 0
	for i, v := range s.best[last] {
		if v < s.best[last][k] {
			k = i
		}
	}
	spec := 0
	for b := last; b >= base; b-- {
		s.cb[c][b] = uint8(k)
		spec += s.cost[b][k]
		k = int(s.from[b][k])
	}
	s.specLen[c] += spec
	bits := spec
	for b := base; b <= last; {
		e := b
		for e <= last && s.cb[c][e] == s.cb[c][b] {
			e++
		}
		bits += 4 + lenBits*((e-b)/esc+1)
		b = e
	}
	return bits
}

// bandCosts fills s.cost[b] with the bits of band b of channel c in each
// codebook that can code it, infBits for the others.
func (s *quantState) bandCosts(c, b int) {
	cost := &s.cost[b]
	for k := range cost {
		cost[k] = infBits
	}
	lo, hi := s.lo[b], s.hi[b]
	q := s.q[c][lo:hi]
	m := s.maxQ[c][b]
	if m == 0 {
		cost[0] = 0
		for k := 1; k <= 11; k++ {
			cost[k] = zeroTupleBits[k] * (hi - lo) / cbDim[k]
		}
		return
	}
	var first, last int
	switch {
	case m <= 1:
		first, last = 1, 4
	case m <= 2:
		first, last = 3, 6
	case m <= 4:
		first, last = 5, 8
	case m <= 7:
		first, last = 7, 10
	case m <= 12:
		first, last = 9, 11
	default:
		first, last = 11, 11
	}
	for k := first; k <= last; k++ {
		if int(m) <= cbLAV[k] || k == escHCB {
			cost[k] = tupleBits(q, k)
		}
	}
}

// zeroTupleBits is the length of the all-zero codeword of each codebook.
var zeroTupleBits = func() (t [12]int) {
	for k := 1; k <= 11; k++ {
		t[k] = int(specLens[k][codeIndex(k, 0, 0, 0, 0)])
	}
	return t
}()

// codeIndex returns the codeword index of a tuple (magnitudes for the
// unsigned codebooks, 16 standing for an escape in codebook 11).
func codeIndex(k int, a, b, c, d int32) int {
	if cbDim[k] == 4 {
		if !cbUnsigned[k] {
			a, b, c, d = a+1, b+1, c+1, d+1
		}
		return int(a*27 + b*9 + c*3 + d)
	}
	if !cbUnsigned[k] {
		a, b = a+4, b+4
	}
	return int(a)*cbMod[k] + int(b)
}

// tupleBits returns the bits of the values q in codebook k, all of whose
// magnitudes it can code.
func tupleBits(q []int32, k int) int {
	lens := specLens[k]
	bits := 0
	switch {
	case cbDim[k] == 4 && cbUnsigned[k]:
		for i := 0; i < len(q); i += 4 {
			a, b, c, d := abs32(q[i]), abs32(q[i+1]), abs32(q[i+2]), abs32(q[i+3])
			bits += int(lens[a*27+b*9+c*3+d]) + nz(a) + nz(b) + nz(c) + nz(d)
		}
	case cbDim[k] == 4:
		for i := 0; i < len(q); i += 4 {
			bits += int(lens[codeIndex(k, q[i], q[i+1], q[i+2], q[i+3])])
		}
	case k == escHCB:
		for i := 0; i < len(q); i += 2 {
			a, b := abs32(q[i]), abs32(q[i+1])
			bits += int(lens[min(a, 16)*17+min(b, 16)]) + nz(a) + nz(b) + escBits(a) + escBits(b)
		}
	case cbUnsigned[k]:
		mod := int32(cbMod[k])
		for i := 0; i < len(q); i += 2 {
			a, b := abs32(q[i]), abs32(q[i+1])
			bits += int(lens[a*mod+b]) + nz(a) + nz(b)
		}
	default:
		for i := 0; i < len(q); i += 2 {
			bits += int(lens[codeIndex(k, q[i], q[i+1], 0, 0)])
		}
	}
	return bits
}

// nz is 1 for a non-zero value: the sign bit of unsigned codebooks.
func nz(v int32) int {
	if v != 0 {
		return 1
	}
	return 0
}

// escBits is the length of the escape sequence of magnitude v in
// codebook 11 (0 below 16).
func escBits(v int32) int {
	if v < 16 {
		return 0
	}
	n := 0
	for v>>uint(n+5) != 0 {
		n++
	}
	return 2*n + 5
}

func abs32(v int32) int32 {
	if v < 0 {
		return -v
	}
	return v
}

// scalefactorBits settles the scalefactors and global gain of channel c
// for its chosen codebooks and returns the bits of scale_factor_data.
// All-zero bands inside a spectral section repeat the previous
// scalefactor, which costs one bit.
func (s *quantState) scalefactorBits(c int) int {
	gain := -1
	prev := 0
	bits := 0
	for b := range s.ng * s.nb {
		if !s.coded(b) || s.cb[c][b] == zeroHCB {
			continue
		}
		if s.maxQ[c][b] == 0 && gain >= 0 {
			s.sf[c][b] = prev
		}
		if gain < 0 {
			gain = s.sf[c][b]
			prev = gain
		}
		d := s.sf[c][b] - prev
		if d < -60 || d > 60 {
			// Cannot happen with the bounded offsets; keep the stream
			// valid regardless.
			d = min(max(d, -60), 60)
			s.sf[c][b] = prev + d
		}
		bits += int(sfLens[d+60])
		prev = s.sf[c][b]
	}
	if gain < 0 {
		gain = 100
	}
	s.gain[c] = gain
	return bits
}
