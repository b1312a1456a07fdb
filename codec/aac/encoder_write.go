package aac

// encodeFrame runs the rate loop on the transformed frame in e.coef and
// appends the coded raw_data_block to dst.
func (e *Encoder) encodeFrame(dst []byte) []byte {
	s := &e.q
	if s.nch == 2 {
		s.decideMS(&e.coef)
	} else {
		s.ms = [maxFrameBands]bool{}
	}
	s.analyze(&e.coef)

	budget := min(e.avgBits+e.reservoir/2, e.maxBits)
	lo, hi := s.gainRange()
	// The smallest global gain (finest quantization) that fits the budget;
	// bits fall as the gain rises.
	for lo < hi {
		mid := (lo + hi) / 2
		if s.count(mid) <= budget {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	used := s.count(lo)
	e.reservoir = min(max(e.reservoir+e.avgBits-used, 0), e.maxReservoir)

	e.w = bitWriter{b: dst}
	w := &e.w
	if s.nch == 1 {
		w.write(idSCE, 3)
		w.write(0, 4)
		s.writeICS(w, 0, true)
	} else {
		w.write(idCPE, 3)
		w.write(0, 4)
		w.write(1, 1) // common_window
		s.writeICSInfo(w)
		ms := s.msPresent()
		w.write(uint32(ms), 2)
		if ms == 1 {
			for b := range s.ng * s.nb {
				if s.coded(b) {
					w.write(b2u(s.ms[b]), 1)
				}
			}
		}
		s.writeICS(w, 0, false)
		s.writeICS(w, 1, false)
	}
	w.write(idEND, 3)
	w.align()
	return w.bytes()
}

func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}

// writeICSInfo writes ics_info for a sine-window frame.
func (s *quantState) writeICSInfo(w *bitWriter) {
	w.write(0, 1) // ics_reserved_bit
	w.write(uint32(s.seq), 2)
	w.write(shapeSine, 1)
	if s.short() {
		w.write(uint32(s.maxSFB), 4)
		w.write(s.groups, 7)
		return
	}
	w.write(uint32(s.maxSFB), 6)
	w.write(0, 1) // predictor_data_present
}

// writeICS writes individual_channel_stream of channel c.
func (s *quantState) writeICS(w *bitWriter, c int, withInfo bool) {
	gain := s.gain[c]
	w.write(uint32(gain), 8)
	if withInfo {
		s.writeICSInfo(w)
	}
	// section_data, per group
	n := s.maxSFB
	lenBits := s.sectionLenBits()
	esc := 1<<lenBits - 1
	for g := range s.ng {
		base := g * s.nb
		for b := base; b < base+n; {
			e := b
			for e < base+n && s.cb[c][e] == s.cb[c][b] {
				e++
			}
			w.write(uint32(s.cb[c][b]), 4)
			l := e - b
			for l >= esc {
				w.write(uint32(esc), lenBits)
				l -= esc
			}
			w.write(uint32(l), lenBits)
			b = e
		}
	}
	// scale_factor_data
	prev := gain
	for b := range s.ng * s.nb {
		if !s.coded(b) || s.cb[c][b] == zeroHCB {
			continue
		}
		d := s.sf[c][b] - prev + 60
		w.write(sfCodes[d], int(sfLens[d]))
		prev = s.sf[c][b]
	}
	w.write(0, 3) // pulse_data_present, tns_data_present, gain_control_data_present
	// spectral_data
	for b := range s.ng * s.nb {
		k := int(s.cb[c][b])
		if !s.coded(b) || k == zeroHCB {
			continue
		}
		writeSpectral(w, s.q[c][s.lo[b]:s.hi[b]], k)
	}
}

// writeSpectral writes the values q in codebook k.
func writeSpectral(w *bitWriter, q []int32, k int) {
	codes, lens := specCodes[k], specLens[k]
	dim := cbDim[k]
	for i := 0; i < len(q); i += dim {
		t := q[i : i+dim]
		var idx int
		switch {
		case dim == 4 && cbUnsigned[k]:
			idx = codeIndex(k, abs32(t[0]), abs32(t[1]), abs32(t[2]), abs32(t[3]))
		case dim == 4:
			idx = codeIndex(k, t[0], t[1], t[2], t[3])
		case k == escHCB:
			idx = codeIndex(k, min(abs32(t[0]), 16), min(abs32(t[1]), 16), 0, 0)
		case cbUnsigned[k]:
			idx = codeIndex(k, abs32(t[0]), abs32(t[1]), 0, 0)
		default:
			idx = codeIndex(k, t[0], t[1], 0, 0)
		}
		w.write(uint32(codes[idx]), int(lens[idx]))
		if !cbUnsigned[k] {
			continue
		}
		for _, v := range t {
			if v != 0 {
				w.write(b2u(v < 0), 1)
			}
		}
		if k != escHCB {
			continue
		}
		for _, v := range t {
			if a := abs32(v); a >= 16 {
				writeEscape(w, a)
			}
		}
	}
}

// writeEscape writes the escape sequence of magnitude v >= 16.
func writeEscape(w *bitWriter, v int32) {
	n := 0
	for v>>uint(n+5) != 0 {
		n++
	}
	w.write(1<<uint(n+1)-2, n+1) // n ones and a zero
	w.write(uint32(v)-1<<uint(n+4), n+4)
}
