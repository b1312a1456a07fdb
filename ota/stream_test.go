package ota

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"runtime"
	"testing"
)

// bigPartSize is the size of p2pcamd for armv7 (docs/size.md): the
// binary a camera verifies in the field.
const bigPartSize = 11 << 20

// patternReader yields n bytes of a repeating pattern without holding
// them.
type patternReader struct{ off, n int64 }

func (p *patternReader) Read(b []byte) (int, error) {
	if p.off >= p.n {
		return 0, io.EOF
	}
	if int64(len(b)) > p.n-p.off {
		b = b[:p.n-p.off]
	}
	for i := range b {
		b[i] = byte((p.off + int64(i)) * 7 >> 3)
	}
	p.off += int64(len(b))
	return len(b), nil
}

// bigBundle returns a function that opens a signed bundle with one
// 11 MB p2pcamd part as a stream, never in memory whole.
func bigBundle(tb testing.TB) func() io.Reader {
	h := sha256.New()
	if _, err := io.Copy(h, &patternReader{n: bigPartSize}); err != nil {
		tb.Fatal(err)
	}
	m := goodManifest()
	m.Parts = []Part{{Name: PartAgent, Arch: "armv7", Size: bigPartSize, SHA256: hex.EncodeToString(h.Sum(nil))}}
	hdr := &Header{Raw: rawManifest(m)}
	if err := hdr.AddSignature(releaseKey); err != nil {
		tb.Fatal(err)
	}
	head := appendHeader(nil, hdr.Raw, hdr.Signatures)
	return func() io.Reader {
		return io.MultiReader(&byteReader{b: head}, &patternReader{n: bigPartSize})
	}
}

// byteReader reads b (bytes.Reader would do, but it has WriteTo, which
// lets io.Copy bypass the buffer under test).
type byteReader struct{ b []byte }

func (r *byteReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}

// Verifying an 11 MB binary allocates a small fixed amount, not the
// binary: the parts are streamed.
func TestVerifyStreams(t *testing.T) {
	open := bigBundle(t)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	if _, err := Verify(open(), goodConfig()); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	const limit = 256 << 10
	if got := after.TotalAlloc - before.TotalAlloc; got > limit {
		t.Fatalf("verifying an %d-byte part allocated %d bytes, want under %d", bigPartSize, got, limit)
	}
}

// BenchmarkVerify verifies a signed bundle with an 11 MB p2pcamd.
func BenchmarkVerify(b *testing.B) {
	open := bigBundle(b)
	b.SetBytes(bigPartSize)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Verify(open(), goodConfig()); err != nil {
			b.Fatal(err)
		}
	}
}
