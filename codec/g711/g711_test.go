package g711

import (
	"bytes"
	"encoding/binary"
	"math"
	"os/exec"
	"testing"

	"github.com/p2pcam/p2pcam/internal/mediatest"
)

func TestKnownCodes(t *testing.T) {
	// Values from G.711 tables 1 and 2: the code of a sample and the
	// decoded output of that code, scaled to 16 bits.
	tests := []struct {
		name string
		law  string
		pcm  int16
		code byte
		out  int16
	}{
		{"alaw zero", "a", 0, 0xd5, 8},
		{"alaw minus one", "a", -1, 0x55, -8},
		{"alaw step 1", "a", 16, 0xd4, 24},
		{"alaw segment 1", "a", 256, 0xc5, 264},
		{"alaw segment 2", "a", 512, 0xf5, 528},
		{"alaw 1000", "a", 1000, 0xfa, 1008},
		{"alaw -1000", "a", -1000, 0x7a, -1008},
		{"alaw max", "a", 32767, 0xaa, 32256},
		{"alaw min", "a", -32768, 0x2a, -32256},
		{"ulaw zero", "u", 0, 0xff, 0},
		{"ulaw minus one", "u", -1, 0x7f, 0},
		{"ulaw 8", "u", 8, 0xfe, 8},
		{"ulaw 1000", "u", 1000, 0xce, 988},
		{"ulaw -1000", "u", -1000, 0x4e, -988},
		{"ulaw max", "u", 32767, 0x80, 32124},
		{"ulaw min", "u", -32768, 0x00, -32124},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var code []byte
			var out []int16
			if tt.law == "a" {
				code = EncodeALaw(nil, []int16{tt.pcm})
				out = DecodeALaw(nil, code)
			} else {
				code = EncodeULaw(nil, []int16{tt.pcm})
				out = DecodeULaw(nil, code)
			}
			if code[0] != tt.code || out[0] != tt.out {
				t.Fatalf("%d -> %#02x -> %d, want %#02x -> %d", tt.pcm, code[0], out[0], tt.code, tt.out)
			}
		})
	}
}

func TestRoundTripAllCodes(t *testing.T) {
	tests := []struct {
		name   string
		decode func([]int16, []byte) []int16
		encode func([]byte, []int16) []byte
		// negZero is the code of -0, which decodes to 0 and so encodes
		// back to +0; -1 for none.
		negZero int
	}{
		{"alaw", DecodeALaw, EncodeALaw, -1},
		{"ulaw", DecodeULaw, EncodeULaw, 0x7f},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			codes := make([]byte, 256)
			for i := range codes {
				codes[i] = byte(i)
			}
			back := tt.encode(nil, tt.decode(nil, codes))
			for i := range codes {
				if i == tt.negZero {
					continue
				}
				if back[i] != codes[i] {
					t.Errorf("code %#02x -> %#02x", codes[i], back[i])
				}
			}
		})
	}
}

// TestQuantizationError checks every 16-bit input decodes to within half a
// step of itself (plus the law's truncation of the low bits).
func TestQuantizationError(t *testing.T) {
	for _, law := range []string{"alaw", "ulaw"} {
		t.Run(law, func(t *testing.T) {
			pcm := make([]int16, 65536)
			for i := range pcm {
				pcm[i] = int16(i - 32768)
			}
			var out []int16
			if law == "alaw" {
				out = DecodeALaw(nil, EncodeALaw(nil, pcm))
			} else {
				out = DecodeULaw(nil, EncodeULaw(nil, pcm))
			}
			for i, s := range pcm {
				m := math.Abs(float64(s))
				// Steps are at most 1/16 of the magnitude in both laws
				// (A-law: 1/32..1/16; µ-law: ~1/16 + bias), and 16 near 0.
				lim := math.Max(m/16, 16) + 1
				if m > 31000 {
					lim = 1024 // top of segment 7: clipping region
				}
				if d := math.Abs(float64(out[i]) - float64(s)); d > lim {
					t.Fatalf("%s %d -> %d: error %v > %v", law, s, out[i], d, lim)
				}
			}
		})
	}
}

func TestAppendNoAlloc(t *testing.T) {
	pcm := make([]int16, 160)
	codes := make([]byte, 0, 160)
	out := make([]int16, 0, 160)
	allocs := testing.AllocsPerRun(100, func() {
		codes = EncodeALaw(codes[:0], pcm)
		out = DecodeALaw(out[:0], codes)
		codes = EncodeULaw(codes[:0], pcm)
		out = DecodeULaw(out[:0], codes)
	})
	if allocs != 0 {
		t.Fatalf("%v allocs per run, want 0", allocs)
	}
	prefix := EncodeALaw([]byte{1, 2}, []int16{0})
	if !bytes.Equal(prefix, []byte{1, 2, 0xd5}) {
		t.Fatalf("append kept %x", prefix)
	}
}

// TestFFmpegInterop encodes a sweep of every 16-bit value with ffmpeg's
// pcm_alaw/pcm_mulaw encoders and checks our codes match, or differ by one
// step where ffmpeg rounds an input on a decision level the other way, and
// that ffmpeg decodes our codes to our values exactly.
func TestFFmpegInterop(t *testing.T) {
	ffmpeg := mediatest.Require(t, "ffmpeg")
	pcm := make([]int16, 65536)
	for i := range pcm {
		pcm[i] = int16(i - 32768)
	}
	raw := make([]byte, 2*len(pcm))
	for i, s := range pcm {
		binary.LittleEndian.PutUint16(raw[2*i:], uint16(s))
	}
	in := mediatest.WriteTemp(t, "in.s16", raw)
	tests := []struct {
		name   string
		format string
		encode func([]byte, []int16) []byte
		decode func([]int16, []byte) []int16
		// mask undoes the law's bit inversion so that neighbouring
		// levels have neighbouring codes.
		mask byte
	}{
		{"alaw", "alaw", EncodeALaw, DecodeALaw, 0x55},
		{"ulaw", "mulaw", EncodeULaw, DecodeULaw, 0x7f},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			theirs, err := exec.Command(ffmpeg, "-v", "error", "-f", "s16le", "-ar", "8000", "-ac", "1", "-i", in, "-f", tt.format, "-").Output()
			if err != nil {
				t.Fatalf("ffmpeg encode: %v", err)
			}
			if len(theirs) != len(pcm) {
				t.Fatalf("ffmpeg gave %d codes, want %d", len(theirs), len(pcm))
			}
			ours := tt.encode(nil, pcm)
			exact := 0
			ourOut := tt.decode(nil, ours)
			theirOut := tt.decode(nil, theirs)
			for i := range pcm {
				if ours[i] == theirs[i] {
					exact++
					continue
				}
				// Where ffmpeg differs (it rounds to the nearest level, G.711
				// decision levels truncate), the codes must be neighbours
				// and the input must lie between their two levels.
				a, b := float64(ourOut[i]), float64(theirOut[i])
				x := float64(pcm[i])
				d := int(ours[i]^tt.mask) - int(theirs[i]^tt.mask)
				if (d != 1 && d != -1) || x < math.Min(a, b)-16 || x > math.Max(a, b)+16 {
					t.Fatalf("sample %d: ours %#02x (%v) theirs %#02x (%v)", pcm[i], ours[i], a, theirs[i], b)
				}
			}
			t.Logf("%s: %d of %d codes identical to ffmpeg's", tt.name, exact, len(pcm))

			codes := mediatest.WriteTemp(t, "in."+tt.format, tt.encode(nil, pcm))
			dec, err := exec.Command(ffmpeg, "-v", "error", "-f", tt.format, "-ar", "8000", "-ac", "1", "-i", codes, "-f", "s16le", "-").Output()
			if err != nil {
				t.Fatalf("ffmpeg decode: %v", err)
			}
			for i := range ourOut {
				if got := int16(binary.LittleEndian.Uint16(dec[2*i:])); got != ourOut[i] {
					t.Fatalf("code %#02x: ffmpeg decodes %d, we %d", ours[i], got, ourOut[i])
				}
			}
		})
	}
}

func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte{0, 1, 0x7f, 0x80, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, law := range []struct {
			enc func([]byte, []int16) []byte
			dec func([]int16, []byte) []int16
		}{{EncodeALaw, DecodeALaw}, {EncodeULaw, DecodeULaw}} {
			pcm := law.dec(nil, b)
			if len(pcm) != len(b) {
				t.Fatalf("decoded %d samples from %d codes", len(pcm), len(b))
			}
			again := law.dec(nil, law.enc(nil, pcm))
			for i := range pcm {
				if again[i] != pcm[i] {
					t.Fatalf("code %#02x: %d then %d", b[i], pcm[i], again[i])
				}
			}
		}
	})
}

func BenchmarkEncodeALaw(b *testing.B) { benchEncode(b, EncodeALaw) }
func BenchmarkEncodeULaw(b *testing.B) { benchEncode(b, EncodeULaw) }
func BenchmarkDecodeALaw(b *testing.B) { benchDecode(b, DecodeALaw) }
func BenchmarkDecodeULaw(b *testing.B) { benchDecode(b, DecodeULaw) }

func benchEncode(b *testing.B, enc func([]byte, []int16) []byte) {
	pcm := make([]int16, 160) // 20 ms at 8 kHz
	for i := range pcm {
		pcm[i] = int16(8000 * math.Sin(float64(i)/5))
	}
	dst := make([]byte, 0, len(pcm))
	b.SetBytes(int64(2 * len(pcm)))
	b.ReportAllocs()
	for b.Loop() {
		dst = enc(dst[:0], pcm)
	}
}

func benchDecode(b *testing.B, dec func([]int16, []byte) []int16) {
	codes := make([]byte, 160)
	for i := range codes {
		codes[i] = byte(i)
	}
	dst := make([]int16, 0, len(codes))
	b.SetBytes(int64(len(codes)))
	b.ReportAllocs()
	for b.Loop() {
		dst = dec(dst[:0], codes)
	}
}
