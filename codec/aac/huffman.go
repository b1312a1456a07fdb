package aac

// huffPrimaryBits is the index width of the first-level decode tables.
const huffPrimaryBits = 9

// huffTable decodes one Huffman codebook with a two-level lookup. An
// entry is value<<8 | sub<<7 | n: for a leaf, value is the codeword index
// and n the code length; for a link (sub set), value is the offset of a
// second-level table indexed by the next n bits.
type huffTable struct {
	e []uint32
}

// newHuffTable builds the decoder of the complete prefix code codes/lens.
func newHuffTable(codes []uint32, lens []uint8) huffTable {
	const p = huffPrimaryBits
	e := make([]uint32, 1<<p)
	// Width of the second-level table under each primary prefix.
	subBits := make([]int, 1<<p)
	for i, c := range codes {
		if l := int(lens[i]); l > p {
			pre := c >> uint(l-p)
			subBits[pre] = max(subBits[pre], l-p)
		}
	}
	for pre, nb := range subBits {
		if nb > 0 {
			e[pre] = uint32(len(e))<<8 | 1<<7 | uint32(nb)
			e = append(e, make([]uint32, 1<<uint(nb))...)
		}
	}
	for i, c := range codes {
		l := int(lens[i])
		leaf := uint32(i)<<8 | uint32(l)
		if l <= p {
			start := int(c) << uint(p-l)
			for j := range 1 << uint(p-l) {
				e[start+j] = leaf
			}
			continue
		}
		link := e[c>>uint(l-p)]
		base, nb := int(link>>8), int(link&0x1f)
		rest := int(c) & (1<<uint(l-p) - 1)
		start := base + rest<<uint(nb-(l-p))
		for j := range 1 << uint(nb-(l-p)) {
			e[start+j] = leaf
		}
	}
	return huffTable{e: e}
}

// decode reads one codeword and returns its index.
func (t *huffTable) decode(r *bitReader) int {
	v := r.peek32()
	e := t.e[v>>(32-huffPrimaryBits)]
	if e&0x80 != 0 {
		nb := e & 0x1f
		e = t.e[e>>8+(v<<huffPrimaryBits)>>(32-nb)]
	}
	r.pos += int(e & 0x1f)
	return int(e >> 8)
}

var (
	sfHuff   huffTable
	specHuff [12]huffTable
)

func init() {
	sfHuff = newHuffTable(sfCodes[:], sfLens[:])
	for cb := 1; cb <= 11; cb++ {
		codes := make([]uint32, len(specCodes[cb]))
		for i, c := range specCodes[cb] {
			codes[i] = uint32(c)
		}
		specHuff[cb] = newHuffTable(codes, specLens[cb])
	}
}

// Properties of the spectral codebooks, table 4.152 of ISO/IEC 14496-3.
var (
	cbDim      = [12]int{0, 4, 4, 4, 4, 2, 2, 2, 2, 2, 2, 2}
	cbUnsigned = [12]bool{false, false, false, true, true, false, false, true, true, true, true, true}
	cbLAV      = [12]int{0, 1, 1, 2, 2, 4, 4, 7, 7, 12, 12, 16} // largest absolute value
	cbMod      = [12]int{0, 3, 3, 3, 3, 9, 9, 8, 8, 13, 13, 17} // values per dimension
)
