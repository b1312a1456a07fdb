package aac

import (
	"fmt"
	"math"
)

// tnsFilter is one temporal noise shaping filter of one window.
type tnsFilter struct {
	length    int // in bands, counted down from the top
	order     int
	direction bool // true: filter downwards in frequency
	lpc       [tnsMaxOrderLong + 1]float64
}

// tnsData is tns_data (4.4.2.7) for every window of a frame.
type tnsData struct {
	nFilt [8]int
	filt  [8][3]tnsFilter
}

// readTNS parses tns_data and converts each filter's coefficients to
// direct-form LPC coefficients (4.6.9.3).
func readTNS(r *bitReader, t *tnsData, in *icsInfo) error {
	nFiltBits, lenBits, orderBits, maxOrder := 2, 6, 5, tnsMaxOrderLong
	if in.short() {
		nFiltBits, lenBits, orderBits, maxOrder = 1, 4, 3, tnsMaxOrderShort
	}
	for w := range in.numWindows {
		t.nFilt[w] = int(r.read(nFiltBits))
		if t.nFilt[w] == 0 {
			continue
		}
		coefRes := int(r.read(1))
		for f := range t.nFilt[w] {
			ft := &t.filt[w][f]
			ft.length = int(r.read(lenBits))
			ft.order = int(r.read(orderBits))
			if ft.order > maxOrder {
				return fmt.Errorf("%w: TNS order %d > %d", ErrMalformed, ft.order, maxOrder)
			}
			if ft.order == 0 {
				continue
			}
			ft.direction = r.bit()
			compress := int(r.read(1))
			var refl [tnsMaxOrderLong]float64
			resBits := coefRes + 3
			bits := resBits - compress
			iqfac := (float64(int(1)<<uint(resBits-1)) - 0.5) / (math.Pi / 2)
			iqfacM := (float64(int(1)<<uint(resBits-1)) + 0.5) / (math.Pi / 2)
			for i := range ft.order {
				v := int(r.read(bits))
				if v >= 1<<uint(bits-1) {
					v -= 1 << uint(bits)
				}
				if v >= 0 {
					refl[i] = math.Sin(float64(v) / iqfac)
				} else {
					refl[i] = math.Sin(float64(v) / iqfacM)
				}
			}
			// Step-up recursion from reflection to LPC coefficients.
			a := &ft.lpc
			*a = [tnsMaxOrderLong + 1]float64{1}
			for m := 1; m <= ft.order; m++ {
				var b [tnsMaxOrderLong + 1]float64
				copy(b[:], a[:])
				for i := 1; i < m; i++ {
					a[i] = b[i] + refl[m-1]*b[m-i]
				}
				a[m] = refl[m-1]
			}
		}
	}
	if r.overrun() {
		return ErrTruncated
	}
	return nil
}

// applyTNS runs the all-pole TNS filters over ch.spec (4.6.9.3).
func applyTNS(ch *channel) {
	in := &ch.info
	t := &ch.tns
	numSWB := len(in.swb) - 1
	maxBands := tnsMaxBandsLong[in.tableIndex]
	if in.short() {
		maxBands = tnsMaxBandsShort[in.tableIndex]
	}
	limit := min(maxBands, in.maxSFB)
	for w := range in.numWindows {
		spec := ch.spec[w*128:]
		top := numSWB
		for f := range t.nFilt[w] {
			ft := &t.filt[w][f]
			bottom := max(top-ft.length, 0)
			start := int(in.swb[min(bottom, limit)])
			end := int(in.swb[min(top, limit)])
			top = bottom
			if ft.order == 0 || end <= start {
				continue
			}
			var state [tnsMaxOrderLong]float64 // past outputs, newest first
			n, inc, k := end-start, 1, start
			if ft.direction {
				inc, k = -1, end-1
			}
			for range n {
				y := spec[k]
				for i := range ft.order {
					y -= ft.lpc[i+1] * state[i]
				}
				copy(state[1:ft.order], state[:ft.order-1])
				state[0] = y
				spec[k] = y
				k += inc
			}
		}
	}
}
