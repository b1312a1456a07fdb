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
