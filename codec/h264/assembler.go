package h264

// maxAUNALUs bounds the NAL units of one access unit; a stream that never
// starts a new picture cannot grow one without limit.
const maxAUNALUs = 512

// AccessUnit is the NAL units of one coded picture, in decoding order.
type AccessUnit struct {
	NALUs [][]byte
	IDR   bool // the picture is an IDR: a decoder can start here
}

// Assembler groups a sequence of NAL units into access units following
// H.264 7.4.1.2.3: a unit starts at an access unit delimiter, SPS, PPS,
// SEI or types 14 to 18 after a picture's slices, or at a slice whose
// first_mb_in_slice is 0. Delimiters, filler and end-of-sequence units are
// dropped: they mean nothing once the unit is framed.
//
// The zero value is ready to use. Pushed slices are kept, not copied.
type Assembler struct {
	cur    AccessUnit
	hasVCL bool

	// Dropped counts access units discarded for exceeding the NAL unit
	// limit.
	Dropped int
}

// Push adds a NAL unit. When it begins a new access unit, the previous one
// is returned complete.
func (a *Assembler) Push(nalu []byte) (AccessUnit, bool) {
	t := TypeOf(nalu)
	var done AccessUnit
	var ok bool
	if a.hasVCL && startsAccessUnit(t, nalu) {
		done, ok = a.cur, true
		a.cur, a.hasVCL = AccessUnit{}, false
	}
	switch {
	case t == NALUTypeAUD || t == NALUTypeFiller || t == NALUTypeEOSeq || t == NALUTypeEOStream || len(nalu) == 0:
		return done, ok
	case IsVCL(t):
		a.hasVCL = true
		a.cur.IDR = a.cur.IDR || t == NALUTypeIDR
	}
	if len(a.cur.NALUs) >= maxAUNALUs {
		a.cur, a.hasVCL = AccessUnit{}, false
		a.Dropped++
	}
	a.cur.NALUs = append(a.cur.NALUs, nalu)
	return done, ok
}

// Flush returns the access unit in progress, if it holds a picture, and
// resets the assembler.
func (a *Assembler) Flush() (AccessUnit, bool) {
	au, ok := a.cur, a.hasVCL
	a.cur, a.hasVCL = AccessUnit{}, false
	return au, ok
}

// startsAccessUnit reports whether nalu, following a picture's slices,
// begins the next access unit.
func startsAccessUnit(t NALUType, nalu []byte) bool {
	switch {
	case t == NALUTypeAUD, t == NALUTypeSEI, t == NALUTypeSPS, t == NALUTypePPS, t >= 14 && t <= 18:
		return true
	case t == NALUTypeSlice || t == NALUTypeIDR:
		// first_mb_in_slice is ue(v); it is 0 exactly when its first bit is 1.
		return len(nalu) > 1 && nalu[1]&0x80 != 0
	}
	return false
}
