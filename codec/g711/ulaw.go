package g711

// ulawBias is the offset G.711 adds to the 14-bit magnitude so that the
// segments of µ-law become powers of two.
const ulawBias = 33

// EncodeULaw appends the µ-law code of each sample of pcm to dst.
func EncodeULaw(dst []byte, pcm []int16) []byte {
	dst = grow(dst, len(pcm))
	n := len(dst) - len(pcm)
	for i, s := range pcm {
		dst[n+i] = ulawByte(s)
	}
	return dst
}

// DecodeULaw appends the linear value of each µ-law code of b to dst.
func DecodeULaw(dst []int16, b []byte) []int16 {
	dst = growPCM(dst, len(b))
	n := len(dst) - len(b)
	for i, c := range b {
		dst[n+i] = ulawTable[c]
	}
	return dst
}

// ulawByte compresses one sample: the biased 14-bit magnitude selects a
// segment (its leading one) and four mantissa bits; all bits are inverted
// and the sign bit is 1 for non-negative input.
func ulawByte(s int16) byte {
	var mag int32
	var sign byte
	if s >= 0 {
		mag = int32(s)>>2 + ulawBias
		sign = 0x80
	} else {
		mag = int32(^s)>>2 + ulawBias
	}
	if mag > 0x1fff {
		mag = 0x1fff
	}
	seg := int32(0) // segment 0 holds magnitudes 33..95 (biased 32..63 + 1)
	for m := mag >> 6; m != 0; m >>= 1 {
		seg++
	}
	mant := (mag >> (seg + 1)) & 0x0f
	return sign | byte(0x7f^(seg<<4|mant))
}

// ulawValue expands one code to the centre of its step.
func ulawValue(c byte) int16 {
	n := ^c
	seg := int32(n>>4) & 7
	mant := int32(n & 0x0f)
	step := int32(8) << seg
	v := 0x80<<seg + step*mant + step/2 - 4*ulawBias
	if c&0x80 == 0 {
		v = -v
	}
	return int16(v)
}

var ulawTable = func() (t [256]int16) {
	for i := range t {
		t[i] = ulawValue(byte(i))
	}
	return t
}()
