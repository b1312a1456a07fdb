package aac

import "fmt"

// Band codebooks beyond the eleven spectral ones (ISO/IEC 14496-3 table
// 4.152).
const (
	zeroHCB       = 0
	escHCB        = 11
	reservedHCB   = 12
	noiseHCB      = 13
	intensityHCB2 = 14 // intensity stereo, out of phase
	intensityHCB  = 15 // intensity stereo, in phase
)

// maxBands bounds the scalefactor bands of any window.
const maxBands = 64

// icsInfo is an ics_info element (4.4.2.1) with the values it implies.
type icsInfo struct {
	windowSequence int
	windowShape    int
	maxSFB         int
	numWindows     int
	numGroups      int
	groupLen       [8]int
	swb            []uint16 // band offsets of one window
	tableIndex     int
}

// short reports whether the frame is EIGHT_SHORT_SEQUENCE.
func (in *icsInfo) short() bool { return in.windowSequence == eightShort }

// readICSInfo parses ics_info for a stream using band table ti.
func readICSInfo(r *bitReader, in *icsInfo, ti int) error {
	if r.bit() {
		return fmt.Errorf("%w: ics_reserved_bit set", ErrMalformed)
	}
	in.tableIndex = ti
	in.windowSequence = int(r.read(2))
	in.windowShape = int(r.read(1))
	if in.short() {
		in.maxSFB = int(r.read(4))
		grouping := r.read(7)
		in.numWindows = 8
		in.numGroups = 1
		in.groupLen = [8]int{1}
		for i := 6; i >= 0; i-- {
			if grouping>>uint(i)&1 != 0 {
				in.groupLen[in.numGroups-1]++
			} else {
				in.numGroups++
				in.groupLen[in.numGroups-1] = 1
			}
		}
		in.swb = swbShort[ti]
	} else {
		in.maxSFB = int(r.read(6))
		in.numWindows = 1
		in.numGroups = 1
		in.groupLen = [8]int{1}
		in.swb = swbLong[ti]
		if r.bit() {
			return fmt.Errorf("%w: prediction (AAC Main) in an LC stream", ErrUnsupported)
		}
	}
	if in.maxSFB > len(in.swb)-1 {
		return fmt.Errorf("%w: max_sfb %d > %d bands", ErrMalformed, in.maxSFB, len(in.swb)-1)
	}
	return nil
}

// readSectionData parses section_data (4.4.2.7) into ch.cb.
func readSectionData(r *bitReader, ch *channel) error {
	in := &ch.info
	bits := 5
	if in.short() {
		bits = 3
	}
	esc := uint32(1)<<uint(bits) - 1
	for g := range in.numGroups {
		for k := 0; k < in.maxSFB; {
			cb := uint8(r.read(4))
			if cb == reservedHCB {
				return fmt.Errorf("%w: reserved codebook 12", ErrMalformed)
			}
			n := 0
			for {
				inc := r.read(bits)
				n += int(inc)
				if inc != esc || r.overrun() {
					break
				}
			}
			if r.overrun() {
				return ErrTruncated
			}
			if k+n > in.maxSFB {
				return fmt.Errorf("%w: section ends at band %d > max_sfb %d", ErrMalformed, k+n, in.maxSFB)
			}
			for ; n > 0; n-- {
				ch.cb[g][k] = cb
				k++
			}
		}
	}
	return nil
}

// readScalefactors parses scale_factor_data (4.4.2.7): scalefactors of
// spectral bands, intensity positions and noise energies, each coded as
// a difference from the previous one of its kind.
func readScalefactors(r *bitReader, ch *channel, rightOfPair bool) error {
	in := &ch.info
	sf := ch.globalGain
	isPos := 0
	noise := ch.globalGain - 90
	firstNoise := true
	for g := range in.numGroups {
		for b := range in.maxSFB {
			switch ch.cb[g][b] {
			case zeroHCB:
				ch.sf[g][b] = 0
			case intensityHCB, intensityHCB2:
				if !rightOfPair {
					return fmt.Errorf("%w: intensity stereo outside the second channel of a pair", ErrMalformed)
				}
				isPos += sfHuff.decode(r) - 60
				ch.sf[g][b] = min(max(isPos, -155), 100) // keeps 2^(-pos/4) finite
			case noiseHCB:
				if firstNoise {
					firstNoise = false
					noise += int(r.read(9)) - 256
				} else {
					noise += sfHuff.decode(r) - 60
				}
				ch.sf[g][b] = min(max(noise, -100), 155) // keeps 2^(e/4) finite
			default:
				sf += sfHuff.decode(r) - 60
				if sf < 0 || sf > 255 {
					return fmt.Errorf("%w: scalefactor %d out of range", ErrMalformed, sf)
				}
				ch.sf[g][b] = sf
			}
		}
	}
	if r.overrun() {
		return ErrTruncated
	}
	return nil
}
