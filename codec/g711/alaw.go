package g711

// EncodeALaw appends the A-law code of each sample of pcm to dst.
func EncodeALaw(dst []byte, pcm []int16) []byte {
	dst = grow(dst, len(pcm))
	n := len(dst) - len(pcm)
	for i, s := range pcm {
		dst[n+i] = alawByte(s)
	}
	return dst
}

// DecodeALaw appends the linear value of each A-law code of b to dst.
func DecodeALaw(dst []int16, b []byte) []int16 {
	dst = growPCM(dst, len(b))
	n := len(dst) - len(b)
	for i, c := range b {
		dst[n+i] = alawTable[c]
	}
	return dst
}

// alawByte compresses one sample: the 12-bit magnitude (units of 16) is
// placed in one of eight segments, the even bits are inverted (0x55) and
// the sign bit is 1 for non-negative input.
func alawByte(s int16) byte {
	var mag int32
	var sign byte
	if s >= 0 {
		mag = int32(s) >> 4
		sign = 0x80
	} else {
		mag = int32(^s) >> 4 // one's complement: -1 maps to magnitude 0
	}
	var code int32
	if mag < 16 {
		code = mag
	} else {
		seg := int32(1)
		for mag > 31 {
			mag >>= 1
			seg++
		}
		code = seg<<4 | (mag - 16)
	}
	return (byte(code) | sign) ^ 0x55
}

// alawValue expands one code to the centre of its step.
func alawValue(c byte) int16 {
	c ^= 0x55
	seg := int32(c>>4) & 7
	v := int32(c & 0x0f)
	if seg > 0 {
		v += 16
	}
	v = v<<4 + 8
	if seg > 1 {
		v <<= seg - 1
	}
	if c&0x80 == 0 {
		v = -v
	}
	return int16(v)
}

var alawTable = func() (t [256]int16) {
	for i := range t {
		t[i] = alawValue(byte(i))
	}
	return t
}()
