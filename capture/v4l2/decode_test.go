//go:build linux

package v4l2

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
	"unsafe"
)

func TestPixelFormat(t *testing.T) {
	tests := []struct {
		in   string
		want PixelFormat
		str  string
		err  bool
	}{
		{"YUYV", PixFmtYUYV, "YUYV", false},
		{"H264", PixFmtH264, "H264", false},
		{"MJPG", PixFmtMJPEG, "MJPG", false},
		{"Y16", 'Y' | '1'<<8 | '6'<<16 | ' '<<24, "Y16", false},
		{"", 0, "", true},
		{"TOOLONG", 0, "", true},
		{"A\x01", 0, "", true},
	}
	for _, tc := range tests {
		got, err := ParsePixelFormat(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("ParsePixelFormat(%q) = %v, %v", tc.in, got, err)
		}
		if !tc.err && got.String() != tc.str {
			t.Errorf("%q: String = %q, want %q", tc.in, got.String(), tc.str)
		}
	}
	strs := []struct {
		p    PixelFormat
		want string
	}{
		{PixFmtYUYV | pixFmtBigEndian, "YUYV-BE"},
		{0x01020304, "0x01020304"},
		{fourcc('N', 'V', '1', '2'), "NV12"},
	}
	for _, tc := range strs {
		if got := tc.p.String(); got != tc.want {
			t.Errorf("String(0x%08x) = %q, want %q", uint32(tc.p), got, tc.want)
		}
	}
}

func TestFPS(t *testing.T) {
	tests := []struct {
		fps  float64
		want Fraction
		text string
	}{
		{30, Fraction{1, 30}, "30"},
		{15, Fraction{1, 15}, "15"},
		{29.97, Fraction{1001, 30000}, "29.97"},
		{59.94, Fraction{1001, 60000}, "59.94"},
		{7.5, Fraction{1000, 7500}, "7.5"},
		{0.5, Fraction{1000, 500}, "0.5"},
	}
	for _, tc := range tests {
		got := fpsToInterval(tc.fps)
		if got != tc.want {
			t.Errorf("fpsToInterval(%v) = %v, want %v", tc.fps, got, tc.want)
		}
		if s := formatFPS(got.FPS()); s != tc.text {
			t.Errorf("formatFPS(%v) = %q, want %q", got.FPS(), s, tc.text)
		}
	}
	if (Fraction{}).FPS() != 0 || (Fraction{}).Seconds() != 0 {
		t.Error("zero fraction is not 0")
	}
}

func TestH264Names(t *testing.T) {
	profiles := []struct {
		in   string
		want int64
		err  bool
	}{
		{"baseline", 0, false}, {"Constrained-Baseline", 1, false}, {"main", 2, false},
		{" high ", 4, false}, {"constrained-high", 17, false}, {"high10", 0, true},
	}
	for _, tc := range profiles {
		got, err := ParseH264Profile(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("ParseH264Profile(%q) = %d, %v", tc.in, got, err)
		}
	}
	levels := []struct {
		in   string
		want int64
		err  bool
	}{
		{"1", 0, false}, {"1b", 1, false}, {"3.1", 9, false}, {"4", 11, false},
		{"4.0", 11, false}, {"4.2", 13, false}, {"6.2", 19, false}, {"7", 0, true}, {"", 0, true},
	}
	for _, tc := range levels {
		got, err := ParseH264Level(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("ParseH264Level(%q) = %d, %v", tc.in, got, err)
		}
	}
}

func TestFlagStrings(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{BufFlag(BufFlagKeyframe | BufFlagError | BufFlagTimestampMonotonic).String(), "keyframe|error|ts-monotonic"},
		{BufFlag(BufFlagLast | BufFlagTimestampCopy).String(), "last|ts-copy"},
		{CapFlag(0).String(), "none"},
		{(CapVideoCapture | CapStreaming | 1<<3).String(), "video-capture, streaming, 0x00000008"},
		{SizeKind(9).String(), "kind-9"},
		{BufType(3).String(), "buf-type-3"},
		{CtrlType(0x200).String(), "type-0x200"},
		{Kind(42).String(), "other"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestPayload(t *testing.T) {
	mem := []byte("0123456789")
	tests := []struct {
		used, off uint32
		want      string
	}{
		{10, 0, "0123456789"},
		{4, 0, "0123"},
		{8, 2, "234567"},
		{50, 0, "0123456789"}, // bytesused beyond the buffer
		{4, 8, ""},            // data offset beyond bytesused
		{0xffffffff, 0xfffffff0, ""},
	}
	for _, tc := range tests {
		got := payload(mem, tc.used, tc.off)
		if string(got) != tc.want || cap(got) != len(got) {
			t.Errorf("payload(%d, %d) = %q (cap %d), want %q", tc.used, tc.off, got, cap(got), tc.want)
		}
	}
}

func TestTimeval(t *testing.T) {
	tests := []time.Duration{0, time.Microsecond, 1500 * time.Millisecond, 12*time.Hour + 7*time.Microsecond}
	for _, d := range tests {
		if got := timevalDuration(durationTimeval(d)); got != d {
			t.Errorf("%v round trips to %v", d, got)
		}
	}
	if got := durationTimeval(-time.Second); got != (timeval{}) {
		t.Errorf("negative duration: %+v", got)
	}
}

func TestKindOf(t *testing.T) {
	raw := FormatInfo{FormatDesc: FormatDesc{Type: VideoOutputMPlane}}
	coded := FormatInfo{FormatDesc: FormatDesc{Type: VideoCaptureMPlane, Flags: FmtCompressed}}
	codedIn := FormatInfo{FormatDesc: FormatDesc{Type: VideoOutputMPlane, Flags: FmtCompressed}}
	rawOut := FormatInfo{FormatDesc: FormatDesc{Type: VideoCaptureMPlane}}
	m2m := Capability{Caps: CapVideoM2MMPlane}
	tests := []struct {
		name string
		caps Capability
		fmts []FormatInfo
		want Kind
	}{
		{"camera", Capability{Caps: CapVideoCapture | CapStreaming}, nil, KindCamera},
		{"mplane camera", Capability{Caps: CapDeviceCaps, DeviceCaps: CapVideoCaptureMPlane}, nil, KindCamera},
		{"encoder", m2m, []FormatInfo{raw, coded}, KindEncoder},
		{"decoder", m2m, []FormatInfo{codedIn, rawOut}, KindDecoder},
		{"converter", m2m, []FormatInfo{raw, rawOut}, KindOther},
		{"old-style m2m", Capability{Caps: CapVideoCapture | CapVideoOutput}, []FormatInfo{
			{FormatDesc: FormatDesc{Type: VideoOutput}}, {FormatDesc: FormatDesc{Type: VideoCapture, Flags: FmtCompressed}}}, KindEncoder},
		{"metadata", Capability{Caps: CapMetaCapture}, nil, KindOther},
	}
	for _, tc := range tests {
		if got := kindOf(tc.caps, tc.fmts); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// FuzzDecode feeds arbitrary bytes, as a driver could return them, to
// every decoder of device-provided structs: none may panic, and strings
// must come out as valid UTF-8.
func FuzzDecode(f *testing.F) {
	f.Add([]byte("uvcvideo\x00\x00\x00\x00\x00\x00\x00\x00HD Webcam\xff\xfe"), uint32(10), uint32(2))
	f.Add(make([]byte, 300), uint32(0), uint32(0))
	f.Add([]byte{1, 0, 0, 0, 3, 0, 0, 0, 0xff, 0xff, 0xff, 0xff}, uint32(0xffffffff), uint32(7))
	f.Fuzz(func(t *testing.T, data []byte, used, off uint32) {
		var (
			c  capability
			fd fmtdesc
			fs frmsizeenum
			fi frmivalenum
			qc queryctrl
			qe queryExtCtrl
			fm format
		)
		fill := func(p unsafe.Pointer, n uintptr) { copy(unsafe.Slice((*byte)(p), n), data) }
		fill(unsafe.Pointer(&c), unsafe.Sizeof(c))
		fill(unsafe.Pointer(&fd), unsafe.Sizeof(fd))
		fill(unsafe.Pointer(&fs), unsafe.Sizeof(fs))
		fill(unsafe.Pointer(&fi), unsafe.Sizeof(fi))
		fill(unsafe.Pointer(&qc), unsafe.Sizeof(qc))
		fill(unsafe.Pointer(&qe), unsafe.Sizeof(qe))
		fill(unsafe.Pointer(&fm), unsafe.Sizeof(fm))

		caps := decodeCapability(&c)
		for _, s := range []string{caps.Driver, caps.Card, caps.BusInfo, decodeFmtdesc(&fd).Description,
			decodeQueryctrl(&qc).Name, decodeQueryExtCtrl(&qe).Name} {
			if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
				t.Fatalf("bad string %q", s)
			}
		}
		_ = caps.Node().String() + caps.KernelVersion() + caps.CaptureType().String()
		_, _ = caps.IsCapture(), caps.IsM2M()
		_ = decodeFmtdesc(&fd).PixelFormat.String()
		if s, ok := decodeFrameSize(&fs); ok {
			_ = s.String()
			if s.Kind != Discrete && (s.StepWidth == 0 || s.StepHeight == 0) {
				t.Fatalf("zero step in %+v", s)
			}
		}
		if iv, ok := decodeFrameInterval(&fi); ok {
			_ = iv.String() + intervalsText([]FrameInterval{iv})
		}
		for _, typ := range []BufType{VideoCapture, VideoCaptureMPlane} {
			fm.Type = uint32(typ)
			got := decodeFormat(&fm)
			if len(got.Planes) > maxPlanes {
				t.Fatalf("%d planes", len(got.Planes))
			}
			_ = got.String()
		}
		p := payload(data, used, off)
		if len(p) > len(data) {
			t.Fatalf("payload of %d bytes from %d", len(p), len(data))
		}
	})
}
