package h264

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"reflect"
	"testing"
	"testing/iotest"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Parameter sets written by ffmpeg's libx264 with the options named.
var spsTests = []struct {
	name    string
	hex     string
	want    SPS
	codec   string
	wantErr bool
}{
	{"baseline 320x180 cropped 25fps", "6742c00cd901419f9f011000000300100000030320f142a480",
		SPS{ProfileIDC: 66, ConstraintFlags: 0xc0, LevelIDC: 12, ChromaFormatIDC: 1, BitDepthLuma: 8, FrameMBsOnly: true, Width: 320, Height: 180, FrameRate: 25}, "avc1.42c00c", false},
	{"high 1920x1080 ntsc", "67640028acd940780227e5c04400000fa40003a9803c60c658",
		SPS{ProfileIDC: 100, LevelIDC: 40, ChromaFormatIDC: 1, BitDepthLuma: 8, FrameMBsOnly: true, Width: 1920, Height: 1080, FrameRate: 30000.0 / 1001}, "avc1.640028", false},
	{"high444 640x480 15fps", "67f40016919b281407b60220000003002000000303c1e2c5b2c0",
		SPS{ProfileIDC: 244, LevelIDC: 22, ChromaFormatIDC: 3, BitDepthLuma: 8, FrameMBsOnly: true, Width: 640, Height: 480, FrameRate: 15}, "avc1.f40016", false},
	{"interlaced 720x576", "6764001eacd940b424d8088000000300800000190f8a14cb",
		SPS{ProfileIDC: 100, LevelIDC: 30, ChromaFormatIDC: 1, BitDepthLuma: 8, FrameMBsOnly: false, Width: 720, Height: 576, FrameRate: 25}, "avc1.64001e", false},
	{"high 352x288 10fps", "6764000cacd9416096c044000003000400000300503c50a658",
		SPS{ProfileIDC: 100, LevelIDC: 12, ChromaFormatIDC: 1, BitDepthLuma: 8, FrameMBsOnly: true, Width: 352, Height: 288, FrameRate: 10}, "avc1.64000c", false},
	{"high422 1280x720", "677a001fbcd9405005bb011000000300100000030320f1831960",
		SPS{ProfileIDC: 122, LevelIDC: 31, ChromaFormatIDC: 2, BitDepthLuma: 8, FrameMBsOnly: true, Width: 1280, Height: 720, FrameRate: 25}, "avc1.7a001f", false},
	{"high10 640x360", "676e001ea6cd940a02ff97011000000300100000030320f162d960",
		SPS{ProfileIDC: 110, LevelIDC: 30, ChromaFormatIDC: 1, BitDepthLuma: 10, FrameMBsOnly: true, Width: 640, Height: 360, FrameRate: 25}, "avc1.6e001e", false},
	{"not an SPS", "68ce3880", SPS{}, "", true},
	{"empty", "", SPS{}, "", true},
	{"truncated", "6742c00cd901", SPS{}, "", true},
	{"huge exp-golomb", "6742c00c0000000000", SPS{}, "", true},
}

func TestParseSPS(t *testing.T) {
	for _, tt := range spsTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSPS(unhex(t, tt.hex))
			if tt.wantErr {
				if !errors.Is(err, ErrBadSPS) {
					t.Fatalf("ParseSPS = %+v, %v; want ErrBadSPS", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("ParseSPS =\n %+v\nwant\n %+v", got, tt.want)
			}
			if c := got.Codec(); c != tt.codec {
				t.Errorf("Codec() = %q, want %q", c, tt.codec)
			}
		})
	}
}

func TestRemoveEmulationPrevention(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"0102", "0102"},
		{"000003", "0000"},
		{"00000301", "000001"},
		{"0000030000030000", "00000000" + "0000"},
		{"00030000", "00030000"},
		{"0000000003", "00000000"},
	}
	for _, tt := range tests {
		got := RemoveEmulationPrevention(unhex(t, tt.in))
		if hex.EncodeToString(got) != tt.want {
			t.Errorf("RemoveEmulationPrevention(%s) = %x, want %s", tt.in, got, tt.want)
		}
	}
}

func TestSplitAnnexB(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
		err  error
	}{
		{"three and four byte codes", "000001670102" + "00000001680304" + "00000165aa", []string{"670102", "680304", "65aa"}, nil},
		{"leading garbage and trailing zeros", "ffee000001670100" + "0000000000016801", []string{"6701", "6801"}, nil},
		{"empty units dropped", "000001000001" + "000001650000", []string{"65"}, nil},
		{"no start code", "670102", nil, ErrNoStartCode},
		{"empty", "", nil, ErrNoStartCode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SplitAnnexB(unhex(t, tt.in))
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if hexes(got) != hexList(tt.want) {
				t.Errorf("got %v, want %v", hexes(got), tt.want)
			}
		})
	}
}

func hexes(nalus [][]byte) string {
	var b bytes.Buffer
	for _, n := range nalus {
		b.WriteString(hex.EncodeToString(n) + " ")
	}
	return b.String()
}

func hexList(s []string) string {
	var b bytes.Buffer
	for _, x := range s {
		b.WriteString(x + " ")
	}
	return b.String()
}

func TestAVCCRoundTrip(t *testing.T) {
	nalus := [][]byte{{0x67, 1, 2}, {0x68}, {0x65, 0, 0, 3, 1, 9}}
	b := AppendAVCC(nil, nalus)
	if len(b) != AVCCSize(nalus) {
		t.Fatalf("len %d, AVCCSize %d", len(b), AVCCSize(nalus))
	}
	got, err := SplitAVCC(b)
	if err != nil || !reflect.DeepEqual(got, nalus) {
		t.Fatalf("SplitAVCC = %x, %v", got, err)
	}
	for _, bad := range []string{"000000", "0000000501", "ffffffff00"} {
		if _, err := SplitAVCC(unhex(t, bad)); !errors.Is(err, ErrTruncated) {
			t.Errorf("SplitAVCC(%s) err = %v, want ErrTruncated", bad, err)
		}
	}
	ab := AppendAnnexB(nil, nalus)
	back, err := SplitAnnexB(ab)
	if err != nil || len(back) != 3 || !bytes.Equal(back[0], nalus[0]) {
		t.Fatalf("Annex-B round trip = %x, %v", back, err)
	}
}

func readAll(t testing.TB, nr *NALUReader) (units [][]byte, tooLarge int) {
	t.Helper()
	for range 100000 {
		n, err := nr.Next()
		switch {
		case errors.Is(err, io.EOF):
			return units, tooLarge
		case errors.Is(err, ErrNALUTooLarge):
			tooLarge++
		case err != nil:
			t.Fatal(err)
		default:
			units = append(units, n)
		}
	}
	t.Fatal("reader never ended")
	return nil, 0
}

func TestNALUReader(t *testing.T) {
	big := bytes.Repeat([]byte{0x41}, 300)
	stream := append([]byte{0xde, 0xad, 0, 0, 0, 1, 0x67, 1}, 0, 0, 1, 0x68, 2)
	stream = append(stream, 0, 0, 0, 1)
	stream = append(stream, big...)
	stream = append(stream, 0, 0, 1, 0x65, 3, 0)

	tests := []struct {
		name     string
		r        func() io.Reader
		max      int
		want     []string
		tooLarge int
	}{
		{"whole", func() io.Reader { return bytes.NewReader(stream) }, 1 << 20,
			[]string{"6701", "6802", hex.EncodeToString(big), "6503"}, 0},
		{"one byte at a time", func() io.Reader { return iotest.OneByteReader(bytes.NewReader(stream)) }, 1 << 20,
			[]string{"6701", "6802", hex.EncodeToString(big), "6503"}, 0},
		{"oversized unit skipped", func() io.Reader { return iotest.HalfReader(bytes.NewReader(stream)) }, 100,
			[]string{"6701", "6802", "6503"}, 1},
		{"no start code at all", func() io.Reader { return bytes.NewReader(big) }, 100, nil, 0},
		{"empty", func() io.Reader { return bytes.NewReader(nil) }, 100, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nr := NewNALUReader(tt.r())
			nr.MaxSize = tt.max
			got, tooLarge := readAll(t, nr)
			if hexes(got) != hexList(tt.want) {
				t.Errorf("units %v, want %v", hexes(got), tt.want)
			}
			if tooLarge != tt.tooLarge {
				t.Errorf("ErrNALUTooLarge %d times, want %d", tooLarge, tt.tooLarge)
			}
		})
	}
}

func TestNALUReaderPassesErrors(t *testing.T) {
	boom := errors.New("boom")
	nr := NewNALUReader(io.MultiReader(bytes.NewReader([]byte{0, 0, 1, 0x67, 0, 0, 1, 0x68}), iotest.ErrReader(boom)))
	if n, err := nr.Next(); err != nil || !bytes.Equal(n, []byte{0x67}) {
		t.Fatalf("Next = %x, %v", n, err)
	}
	if _, err := nr.Next(); !errors.Is(err, boom) {
		t.Fatalf("Next err = %v, want boom", err)
	}
}

// slice returns a slice NAL of type t; first says first_mb_in_slice == 0.
func slice(t NALUType, first bool, tag byte) []byte {
	if first {
		return []byte{0x60 | byte(t), 0x88, tag}
	}
	return []byte{0x60 | byte(t), 0x48, tag}
}

func TestAssembler(t *testing.T) {
	sps, pps, sei := []byte{0x67, 1}, []byte{0x68, 2}, []byte{0x06, 5}
	aud := []byte{0x09, 0xf0}
	in := [][]byte{
		aud, sps, pps, sei, slice(NALUTypeIDR, true, 1), slice(NALUTypeIDR, false, 2),
		aud, slice(NALUTypeSlice, true, 3),
		slice(NALUTypeSlice, true, 4), {0x0c, 0xff},
		sps, pps, slice(NALUTypeIDR, true, 5),
	}
	want := []AccessUnit{
		{NALUs: [][]byte{sps, pps, sei, slice(NALUTypeIDR, true, 1), slice(NALUTypeIDR, false, 2)}, IDR: true},
		{NALUs: [][]byte{slice(NALUTypeSlice, true, 3)}},
		{NALUs: [][]byte{slice(NALUTypeSlice, true, 4)}},
		{NALUs: [][]byte{sps, pps, slice(NALUTypeIDR, true, 5)}, IDR: true},
	}
	var a Assembler
	var got []AccessUnit
	for _, n := range in {
		if au, ok := a.Push(n); ok {
			got = append(got, au)
		}
	}
	if au, ok := a.Flush(); ok {
		got = append(got, au)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got\n%v\nwant\n%v", got, want)
	}
	if _, ok := a.Flush(); ok {
		t.Error("second Flush returned a unit")
	}
	for i, au := range got {
		if IsKeyframe(au.NALUs) != au.IDR {
			t.Errorf("unit %d: IsKeyframe disagrees with IDR", i)
		}
	}
}

func TestParamSets(t *testing.T) {
	sps, pps := []byte{0x67, 1}, []byte{0x68, 2}
	idr := slice(NALUTypeIDR, true, 1)
	sei := []byte{0x06, 5}
	var p ParamSets
	bare := AccessUnit{NALUs: [][]byte{sei, idr}, IDR: true}
	if got := p.Complete(bare); !reflect.DeepEqual(got, bare) {
		t.Fatalf("Complete without parameters changed the unit: %x", got.NALUs)
	}
	if !p.Observe([][]byte{sps, pps, idr}) || !p.Ready() {
		t.Fatal("Observe did not report the new parameters")
	}
	if p.Observe([][]byte{sps, pps}) {
		t.Error("Observe reported unchanged parameters as changed")
	}
	got := p.Complete(bare)
	if want := [][]byte{sei, sps, pps, idr}; !reflect.DeepEqual(got.NALUs, want) {
		t.Errorf("Complete = %x, want %x", got.NALUs, want)
	}
	if len(bare.NALUs) != 2 {
		t.Error("Complete modified its argument")
	}
	if !p.Observe([][]byte{{0x68, 3}}) || !bytes.Equal(p.PPS(), []byte{0x68, 3}) || !bytes.Equal(p.SPS(), sps) {
		t.Error("a new PPS was not recorded")
	}
}

func TestNALUTypeString(t *testing.T) {
	if NALUTypeIDR.String() != "idr" || NALUType(20).String() != "type-20" {
		t.Errorf("String: %v %v", NALUTypeIDR, NALUType(20))
	}
}
