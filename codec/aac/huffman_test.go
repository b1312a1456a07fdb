package aac

import (
	"math/big"
	"testing"
)

// TestHuffmanTablesComplete checks each codebook's size and that its
// codes form a complete prefix code (Kraft sum exactly 1).
func TestHuffmanTablesComplete(t *testing.T) {
	tests := []struct {
		name  string
		codes []uint32
		lens  []uint8
		size  int
	}{
		{"scalefactor", sfCodes[:], sfLens[:], 121},
	}
	sizes := [12]int{0, 81, 81, 81, 81, 81, 81, 64, 64, 169, 169, 289}
	for cb := 1; cb <= 11; cb++ {
		codes := make([]uint32, len(specCodes[cb]))
		for i, c := range specCodes[cb] {
			codes[i] = uint32(c)
		}
		tests = append(tests, struct {
			name  string
			codes []uint32
			lens  []uint8
			size  int
		}{"spectral " + string(rune('0'+cb/10)) + string(rune('0'+cb%10)), codes, specLens[cb], sizes[cb]})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.codes) != tt.size || len(tt.lens) != tt.size {
				t.Fatalf("%d codes, %d lengths, want %d", len(tt.codes), len(tt.lens), tt.size)
			}
			sum := new(big.Rat)
			for i, c := range tt.codes {
				if c>>tt.lens[i] != 0 {
					t.Fatalf("code %d: %#x longer than %d bits", i, c, tt.lens[i])
				}
				sum.Add(sum, big.NewRat(1, int64(1)<<tt.lens[i]))
			}
			if sum.Cmp(big.NewRat(1, 1)) != 0 {
				t.Fatalf("Kraft sum %v, want 1", sum)
			}
		})
	}
}

// TestScalefactorHuffmanRoundTrip codes every scalefactor delta and
// decodes it back.
func TestScalefactorHuffmanRoundTrip(t *testing.T) {
	var w bitWriter
	for d := range 121 {
		w.write(sfCodes[d], int(sfLens[d]))
	}
	w.align()
	r := bitReader{b: w.bytes()}
	for d := range 121 {
		start := r.pos
		if got := sfHuff.decode(&r); got != d {
			t.Fatalf("decoded %d, want %d", got, d)
		}
		if r.pos-start != int(sfLens[d]) {
			t.Fatalf("delta %d: consumed %d bits, want %d", d-60, r.pos-start, sfLens[d])
		}
	}
}

// TestSpectralHuffmanRoundTrip writes every codeword of every spectral
// codebook with the encoder's writer, with signs and escapes, and reads it
// back with the decoder's spectral parser.
func TestSpectralHuffmanRoundTrip(t *testing.T) {
	escapes := []int32{16, 17, 31, 32, 63, 64, 100, 1000, 4095, 4096, 8191}
	for cb := 1; cb <= 11; cb++ {
		t.Run("codebook "+string(rune('0'+cb/10))+string(rune('0'+cb%10)), func(t *testing.T) {
			dim := cbDim[cb]
			var tuples [][]int32
			for idx, v := range cbValues[cb] {
				tuple := make([]int32, dim)
				for i := range dim {
					tuple[i] = int32(v[i])
					// Unsigned books code magnitudes: give some values a
					// negative sign to exercise the sign bits.
					if cbUnsigned[cb] && (idx+i)%2 == 1 {
						tuple[i] = -tuple[i]
					}
				}
				if cb == escHCB {
					for i := range tuple {
						if tuple[i] == 16 || tuple[i] == -16 {
							e := escapes[(idx+i)%len(escapes)]
							if tuple[i] < 0 {
								e = -e
							}
							tuple[i] = e
						}
					}
				}
				tuples = append(tuples, tuple)
			}
			var w bitWriter
			for _, tp := range tuples {
				writeSpectral(&w, tp, cb)
			}
			w.align()
			r := bitReader{b: w.bytes()}
			for n, tp := range tuples {
				got := readTuple(t, &r, cb)
				for i := range tp {
					if got[i] != tp[i] {
						t.Fatalf("codeword %d: decoded %v, want %v", n, got, tp)
					}
				}
			}
			if r.overrun() || r.left() >= 8 {
				t.Fatalf("%d bits left", r.left())
			}
		})
	}
}

// readTuple decodes one tuple of codebook cb through readSpectral, on a
// one-band long window.
func readTuple(t *testing.T, r *bitReader, cb int) []int32 {
	t.Helper()
	var ch channel
	ch.info = icsInfo{numWindows: 1, numGroups: 1, groupLen: [8]int{1}, maxSFB: 1, swb: []uint16{0, uint16(cbDim[cb])}}
	ch.cb[0][0] = uint8(cb)
	if err := readSpectral(r, &ch); err != nil {
		t.Fatal(err)
	}
	return ch.quant[:cbDim[cb]]
}

// TestCodeIndex checks the codeword index layout of subclause 4.6.3.3.
func TestCodeIndex(t *testing.T) {
	tests := []struct {
		cb         int
		a, b, c, d int32
		want       int
	}{
		{1, -1, -1, -1, -1, 0},
		{1, 0, 0, 0, 0, 40},
		{1, 1, 1, 1, 1, 80},
		{3, 2, 0, 1, 0, 57},
		{5, -4, -4, 0, 0, 0},
		{5, 0, 0, 0, 0, 40},
		{6, 4, 4, 0, 0, 80},
		{7, 7, 7, 0, 0, 63},
		{9, 12, 1, 0, 0, 157},
		{11, 16, 16, 0, 0, 288},
	}
	for _, tt := range tests {
		if got := codeIndex(tt.cb, tt.a, tt.b, tt.c, tt.d); got != tt.want {
			t.Errorf("codebook %d (%d,%d,%d,%d): index %d, want %d", tt.cb, tt.a, tt.b, tt.c, tt.d, got, tt.want)
		}
		v := cbValues[tt.cb][tt.want]
		if cbUnsigned[tt.cb] || tt.cb <= 2 {
			if int32(v[0]) != tt.a || int32(v[1]) != tt.b {
				t.Errorf("codebook %d index %d unpacks to %v", tt.cb, tt.want, v)
			}
		}
	}
}
