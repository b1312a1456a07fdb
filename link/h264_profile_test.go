package link

import "testing"

// chromiumH264 is what Chromium offers (its H.264 lines, in order).
var chromiumH264 = []string{
	"level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f",
	"level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f",
	"level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
	"level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f",
	"level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f",
	"level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=4d001f",
	"level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=f4001f",
	"level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=640034",
}

func TestChooseH264(t *testing.T) {
	for _, tt := range []struct {
		name    string
		sps     []byte
		offered []string
		want    string // profile-level-id of the line chosen
		ok      bool
	}{
		{"constrained baseline, offered as is", []byte{0x67, 0x42, 0xe0, 0x1e}, chromiumH264, "42e01f", true},
		{"constrained baseline with set0+set1 (x264) maps to 42e0", []byte{0x67, 0x42, 0xc0, 0x1e}, chromiumH264, "42e01f", true},
		{"baseline", []byte{0x67, 0x42, 0x00, 0x1f}, chromiumH264, "42001f", true},
		{"main", []byte{0x67, 0x4d, 0x00, 0x28}, chromiumH264, "4d001f", true},
		{"main without a main decoder goes to high", []byte{0x67, 0x4d, 0x40, 0x28}, chromiumH264[6:], "640034", true},
		{"high, any level", []byte{0x67, 0x64, 0x00, 0x33}, chromiumH264, "640034", true},
		{"unknown stream is constrained baseline", nil, chromiumH264, "42e01f", true},
		{"constrained baseline on a main-only viewer", []byte{0x67, 0x42, 0xc0, 0x1e}, chromiumH264[4:5], "4d001f", true},
		{"high on a baseline-only viewer: best effort", []byte{0x67, 0x64, 0x00, 0x28}, chromiumH264[:4], "42001f", false},
		{"no mode 1", []byte{0x67, 0x42, 0xe0, 0x1e}, []string{chromiumH264[1]}, "", false},
	} {
		line, ok := ChooseH264(tt.sps, tt.offered)
		if got := fmtpParam(line, "profile-level-id"); got != tt.want || ok != tt.ok {
			t.Errorf("%s: ChooseH264 = %q, %v; want %s, %v", tt.name, line, ok, tt.want, tt.ok)
		}
	}
}

// The offer's fmtp lines are untrusted: ChooseH264 never fails on them
// and picks one of them or none.
func FuzzChooseH264(f *testing.F) {
	for _, l := range chromiumH264 {
		f.Add([]byte{0x67, 0x42, 0xc0, 0x1e}, l, chromiumH264[0])
	}
	f.Add([]byte{}, "packetization-mode=1;profile-level-id=zz", ";;==;")
	f.Fuzz(func(t *testing.T, sps []byte, a, b string) {
		line, ok := ChooseH264(sps, []string{a, b})
		if line != "" && line != a && line != b {
			t.Fatalf("chose %q, not an offered line", line)
		}
		if ok && line == "" {
			t.Fatal("ok without a line")
		}
	})
}

// OfferHasMedia and AttachTracks read untrusted SDP: they never panic.
func FuzzOfferHasMedia(f *testing.F) {
	f.Add("v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 102\r\na=rtpmap:102 H264/90000\r\na=fmtp:102 packetization-mode=1;profile-level-id=42e01f\r\n")
	f.Add("v=0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n")
	f.Fuzz(func(t *testing.T, sdp string) {
		OfferHasMedia(sdp)
		offeredH264(sdp)
	})
}
