package h264

// RemoveEmulationPrevention returns the RBSP of a NAL unit payload: every
// 00 00 03 becomes 00 00. It returns b itself when there is nothing to
// remove.
func RemoveEmulationPrevention(b []byte) []byte {
	var out []byte
	zeros, last := 0, 0
	for i, c := range b {
		if zeros >= 2 && c == 3 {
			if out == nil {
				out = make([]byte, 0, len(b))
			}
			out = append(out, b[last:i]...)
			last = i + 1
			zeros = 0
			continue
		}
		if c == 0 {
			zeros++
		} else {
			zeros = 0
		}
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
}

// bitReader reads an RBSP most significant bit first. Reading past the end
// sets err and yields zeros, so a parser checks err once at the end.
type bitReader struct {
	b   []byte
	pos int // bit position
	err error
}

func (r *bitReader) bit() uint32 {
	if r.pos >= 8*len(r.b) {
		r.err = ErrTruncated
		return 0
	}
	v := uint32(r.b[r.pos/8]>>(7-r.pos%8)) & 1
	r.pos++
	return v
}

// u reads an n-bit unsigned value, n <= 32.
func (r *bitReader) u(n int) uint32 {
	var v uint32
	for range n {
		v = v<<1 | r.bit()
	}
	return v
}

func (r *bitReader) flag() bool { return r.bit() == 1 }

// ue reads an Exp-Golomb code (9.1), limited to 32-bit values.
func (r *bitReader) ue() uint32 {
	zeros := 0
	for r.bit() == 0 {
		if r.err != nil {
			return 0
		}
		zeros++
		if zeros > 31 {
			r.err = ErrBadSPS
			return 0
		}
	}
	return uint32(1)<<zeros - 1 + r.u(zeros)
}

// se reads a signed Exp-Golomb code.
func (r *bitReader) se() int32 {
	k := r.ue()
	if k&1 == 1 {
		return int32((k + 1) / 2)
	}
	return -int32(k / 2)
}
