package link

import (
	"strings"
	"testing"

	"github.com/p2pcam/p2pcam/protocol"
)

// headCases are answer heads as a camera sends them, and what a viewer
// must refuse; they seed FuzzDecodeHead.
var headCases = []struct {
	name string
	in   string
	ok   bool
	st   protocol.Status
}{
	{"live", `{"status":0,"content_type":"video/x-flv","quality":"high"}`, true, protocol.StatusOK},
	{"track", `{"status":0,"content_type":"application/x-p2pcam-track","quality":"super","width":1280,"height":720}`, true, protocol.StatusOK},
	{"refusal", `{"status":405}`, true, protocol.StatusTooMany},
	{"unknown quality", `{"status":0,"quality":"ultra"}`, false, 0},
	{"not JSON", `status=0`, false, 0},
	{"wrong type", `{"status":"0"}`, false, 0},
	{"too big", `{"status":0,"content_type":"` + strings.Repeat("x", maxHeadSize) + `"}`, false, 0},
	{"not UTF-8", "{\"status\":0,\"content_type\":\"video/x-flv\xf8\"}", false, 0},
}

func TestDecodeHead(t *testing.T) {
	for _, tc := range headCases {
		t.Run(tc.name, func(t *testing.T) {
			st, _, err := decodeHead([]byte(tc.in))
			if (err == nil) != tc.ok {
				t.Fatalf("decodeHead = %v, want ok=%v", err, tc.ok)
			}
			if tc.ok && st != tc.st {
				t.Errorf("status %d, want %d", st, tc.st)
			}
		})
	}
}

// FuzzDecodeHead: a head from the camera is untrusted bytes; decoding
// never panics, and what it accepts encodes back to an equal head (or to
// one too big to take, as JSON escaping can grow a string sixfold).
func FuzzDecodeHead(f *testing.F) {
	for _, tc := range headCases {
		f.Add([]byte(tc.in))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		st, h, err := decodeHead(b)
		if err != nil {
			return
		}
		enc := encodeHead(st, h)
		if len(enc) > maxHeadSize {
			return
		}
		st2, h2, err := decodeHead(enc)
		if err != nil || st2 != st || h2 != h {
			t.Fatalf("%q: round trip %d %+v -> %d %+v (%v)", b, st, h, st2, h2, err)
		}
	})
}
