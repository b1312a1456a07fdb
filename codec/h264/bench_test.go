package h264

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"
)

func simClip(b *testing.B) []byte {
	clip, err := os.ReadFile("../../capture/sim/clips/super.h264")
	if err != nil {
		b.Skip("sim clip missing:", err)
	}
	return clip
}

// BenchmarkNALUReader measures Annex-B parsing of the 720p sim clip.
func BenchmarkNALUReader(b *testing.B) {
	clip := simClip(b)
	b.SetBytes(int64(len(clip)))
	b.ReportAllocs()
	for b.Loop() {
		nr := NewNALUReader(bytes.NewReader(clip))
		var a Assembler
		for {
			n, err := nr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			a.Push(n)
		}
	}
}

func BenchmarkParseSPS(b *testing.B) {
	sps := unhex(b, spsTests[1].hex)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseSPS(sps); err != nil {
			b.Fatal(err)
		}
	}
}
