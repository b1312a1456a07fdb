package aac

// pce is what the package keeps of a program_config_element (ISO/IEC
// 14496-3 4.4.1.1): the number of output channels it declares.
type pce struct {
	rateIndex int
	channels  int
}

// readPCE parses a program_config_element; byte alignment is relative to
// the start of r's buffer, which is the raw block or the ASC.
func readPCE(r *bitReader) (pce, error) {
	var p pce
	r.skip(4 + 2) // element_instance_tag, object_type
	p.rateIndex = int(r.read(4))
	front, side, back := int(r.read(4)), int(r.read(4)), int(r.read(4))
	lfe, assoc, cc := int(r.read(2)), int(r.read(3)), int(r.read(4))
	if r.bit() {
		r.skip(4) // mono_mixdown_element_number
	}
	if r.bit() {
		r.skip(4) // stereo_mixdown_element_number
	}
	if r.bit() {
		r.skip(3) // matrix_mixdown_idx, pseudo_surround_enable
	}
	for range front + side + back {
		if r.bit() {
			p.channels += 2
		} else {
			p.channels++
		}
		r.skip(4)
	}
	p.channels += lfe
	r.skip(4*lfe + 4*assoc + 5*cc)
	r.align()
	r.skip(8 * int(r.read(8))) // comment_field_data
	if r.overrun() {
		return p, ErrTruncated
	}
	return p, nil
}
