package h264

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

func FuzzParseSPS(f *testing.F) {
	for _, tt := range spsTests {
		f.Add(unhex(f, tt.hex))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseSPS(b)
		if err != nil {
			if !errors.Is(err, ErrBadSPS) {
				t.Fatalf("error %v does not wrap ErrBadSPS", err)
			}
			return
		}
		if s.Width <= 0 || s.Height <= 0 || s.Width > maxDimension || s.Height > maxDimension {
			t.Fatalf("accepted size %dx%d", s.Width, s.Height)
		}
	})
}

// FuzzSplitAnnexB checks the splitter against the streaming reader: both
// must find the same units in any input.
func FuzzSplitAnnexB(f *testing.F) {
	f.Add([]byte{0, 0, 1, 0x67, 1, 0, 0, 0, 1, 0x68, 0, 0, 1, 0x65})
	f.Add([]byte{0, 0, 0, 0, 1, 0, 0, 1})
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		split, err := SplitAnnexB(b)
		if err != nil && !errors.Is(err, ErrNoStartCode) {
			t.Fatal(err)
		}
		nr := NewNALUReader(bytes.NewReader(b))
		var read [][]byte
		for {
			n, err := nr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			read = append(read, n)
		}
		if len(read) != len(split) {
			t.Fatalf("reader found %d units, splitter %d", len(read), len(split))
		}
		for i := range read {
			if !bytes.Equal(read[i], split[i]) {
				t.Fatalf("unit %d: reader %x, splitter %x", i, read[i], split[i])
			}
		}
		var a Assembler
		for _, n := range split {
			a.Push(n)
		}
		a.Flush()
	})
}

func FuzzSplitAVCC(f *testing.F) {
	f.Add(AppendAVCC(nil, [][]byte{{0x67, 1}, {0x65}}))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		nalus, err := SplitAVCC(b)
		if err != nil {
			return
		}
		if !bytes.Equal(AppendAVCC(nil, nalus), b) {
			t.Fatal("round trip differs")
		}
	})
}
