package aac

import (
	"fmt"
	"math"
)

// maxQuant is the largest quantized magnitude an escape can code.
const maxQuant = 8191

var (
	// pow43 is |q|^(4/3), the inverse quantizer of 4.6.1.3.
	pow43 [maxQuant + 65]float64 // pulses may add up to 60
	// sfGain is 2^((sf-100)/4), the scalefactor gain of 4.6.2.3.
	sfGain [256]float64
	// cbValues unpacks each codeword index of each spectral codebook into
	// its (up to four) values.
	cbValues [12][][4]int8
)

func init() {
	for i := range pow43 {
		pow43[i] = math.Pow(float64(i), 4.0/3)
	}
	for i := range sfGain {
		sfGain[i] = math.Exp2(float64(i-100) / 4)
	}
	for cb := 1; cb <= 11; cb++ {
		mod := cbMod[cb]
		off := 0
		if !cbUnsigned[cb] {
			off = cbLAV[cb]
		}
		vals := make([][4]int8, len(specCodes[cb]))
		for idx := range vals {
			if cbDim[cb] == 4 {
				vals[idx] = [4]int8{int8(idx/27 - off), int8(idx/9%3 - off), int8(idx/3%3 - off), int8(idx%3 - off)}
			} else {
				vals[idx] = [4]int8{int8(idx/mod - off), int8(idx%mod - off)}
			}
		}
		cbValues[cb] = vals
	}
}

// pulse is pulse_data (4.4.2.7): up to four amplitudes added to the
// quantized values of a long window.
type pulse struct {
	n        int
	startSFB int
	offset   [4]int
	amp      [4]int
}

// readPulse parses pulse_data.
func readPulse(r *bitReader, p *pulse, in *icsInfo) error {
	if in.short() {
		return fmt.Errorf("%w: pulse data in short windows", ErrMalformed)
	}
	p.n = int(r.read(2)) + 1
	p.startSFB = int(r.read(6))
	if p.startSFB >= len(in.swb)-1 {
		return fmt.Errorf("%w: pulse_start_sfb %d", ErrMalformed, p.startSFB)
	}
	for i := range p.n {
		p.offset[i] = int(r.read(5))
		p.amp[i] = int(r.read(4))
	}
	return nil
}

// readSpectral parses spectral_data (4.4.2.7) into ch.quant, window by
// window (the grouped interleaving of the bitstream is undone here).
func readSpectral(r *bitReader, ch *channel) error {
	in := &ch.info
	q := &ch.quant
	clear(q[:])
	win := 0
	for g := range in.numGroups {
		glen := in.groupLen[g]
		for b := range in.maxSFB {
			cb := int(ch.cb[g][b])
			if cb == zeroHCB || cb > escHCB {
				continue
			}
			t := &specHuff[cb]
			vals := cbValues[cb]
			dim := cbDim[cb]
			lo, hi := int(in.swb[b]), int(in.swb[b+1])
			for w := win; w < win+glen; w++ {
				base := w * 128
				for k := lo; k < hi; k += dim {
					v := vals[t.decode(r)]
					out := q[base+k : base+k+dim]
					for i := range out {
						out[i] = int32(v[i])
					}
					if !cbUnsigned[cb] {
						continue
					}
					for i, x := range out {
						if x != 0 && r.bit() {
							out[i] = -x
						}
					}
					if cb != escHCB {
						continue
					}
					for i, x := range out {
						if x == 16 || x == -16 {
							e, err := readEscape(r)
							if err != nil {
								return err
							}
							if x < 0 {
								e = -e
							}
							out[i] = e
						}
					}
				}
				if r.overrun() {
					return ErrTruncated
				}
			}
		}
		win += glen
	}
	return nil
}

// readEscape parses an escape sequence: N ones, a zero, and N+4 bits.
func readEscape(r *bitReader) (int32, error) {
	n := 0
	for r.bit() {
		n++
		if n > 8 {
			return 0, fmt.Errorf("%w: escape sequence too long", ErrMalformed)
		}
	}
	return 1<<uint(n+4) + int32(r.read(n+4)), nil
}

// applyPulse adds the pulse amplitudes to the quantized values.
func applyPulse(ch *channel) error {
	p := &ch.pulse
	k := int(ch.info.swb[p.startSFB])
	for i := range p.n {
		k += p.offset[i]
		if k >= 1024 {
			return fmt.Errorf("%w: pulse beyond the spectrum", ErrMalformed)
		}
		if ch.quant[k] > 0 {
			ch.quant[k] += int32(p.amp[i])
		} else {
			ch.quant[k] -= int32(p.amp[i])
		}
	}
	return nil
}

// dequantize fills ch.spec from ch.quant and the scalefactors, for the
// bands coded with spectral codebooks; other bands are left at zero.
func dequantize(ch *channel) {
	in := &ch.info
	clear(ch.spec[:])
	win := 0
	for g := range in.numGroups {
		for b := range in.maxSFB {
			cb := ch.cb[g][b]
			if cb == zeroHCB || cb > escHCB {
				continue
			}
			gain := sfGain[ch.sf[g][b]]
			lo, hi := int(in.swb[b]), int(in.swb[b+1])
			for w := win; w < win+in.groupLen[g]; w++ {
				base := w * 128
				for k := base + lo; k < base+hi; k++ {
					x := ch.quant[k]
					switch {
					case x > 0:
						ch.spec[k] = pow43[min(x, maxQuant+64)] * gain
					case x < 0:
						ch.spec[k] = -pow43[min(-x, maxQuant+64)] * gain
					}
				}
			}
		}
		win += in.groupLen[g]
	}
}
