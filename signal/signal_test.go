package signal

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

const session = "0123456789abcdef"

// decodeCases drive TestDecode and seed FuzzDecode.
var decodeCases = []struct {
	name string
	in   string
	ok   bool
}{
	{"offer", `{"type":"offer","session":"` + session + `","token":"t","sdp":"v=0"}`, true},
	{"answer", `{"type":"answer","session":"` + session + `","sdp":"v=0","sig":"AAEC"}`, true},
	{"candidate", `{"type":"candidate","session":"` + session + `","candidate":{"candidate":"candidate:1 1 udp 1 1.2.3.4 5 typ host","sdpMid":"0"}}`, true},
	{"end of candidates", `{"type":"candidate","session":"` + session + `","candidate":{"candidate":""}}`, true},
	{"error", `{"type":"error","session":"` + session + `","status":401,"error":"bad token"}`, true},
	{"bye", `{"type":"bye","session":"` + session + `"}`, true},
	{"offer with a live request", `{"type":"offer","session":"` + session + `","token":"t","sdp":"v=0","live":"ipc.track?action=live&channel=0&quality=high"}`, true},
	{"offer with a live request that is not ipc.track", `{"type":"offer","session":"` + session + `","token":"t","sdp":"v=0","live":"ipc.flv?action=live"}`, false},
	{"offer with a long live request", `{"type":"offer","session":"` + session + `","token":"t","sdp":"v=0","live":"ipc.track?` + strings.Repeat("a", 300) + `"}`, false},
	{"live request outside an offer", `{"type":"bye","session":"` + session + `","live":"ipc.track?action=live"}`, false},
	{"offer without token", `{"type":"offer","session":"` + session + `","sdp":"v=0"}`, false},
	{"answer without signature", `{"type":"answer","session":"` + session + `","sdp":"v=0"}`, false},
	{"candidate missing", `{"type":"candidate","session":"` + session + `"}`, false},
	{"error without status", `{"type":"error","session":"` + session + `"}`, false},
	{"unknown type", `{"type":"hello","session":"` + session + `"}`, false},
	{"unknown field", `{"type":"bye","session":"` + session + `","admin":true}`, false},
	{"short session", `{"type":"bye","session":"abc"}`, false},
	{"session with slash", `{"type":"bye","session":"0123456789abcdef/x"}`, false},
	{"trailing data", `{"type":"bye","session":"` + session + `"} {}`, false},
	{"not JSON", `hello`, false},
	{"not UTF-8", "{\"type\":\"bye\",\"session\":\"" + session + "\xff\"}", false},
	{"too big", `{"type":"offer","session":"` + session + `","token":"t","sdp":"` + strings.Repeat("a", MaxMessageSize) + `"}`, false},
}

func TestDecode(t *testing.T) {
	for _, tt := range decodeCases {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Decode([]byte(tt.in))
			if tt.ok {
				if err != nil {
					t.Fatal(err)
				}
				out, err := m.Encode()
				if err != nil {
					t.Fatal(err)
				}
				if m2, err := Decode(out); err != nil || m2.Type != m.Type {
					t.Fatalf("round trip: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Decode = %+v, %v; want ErrMalformed", m, err)
			}
		})
	}
}

func TestDeviceID(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"CAM01/door", true},
		{"a.b/c-d_e", true},
		{"nodevice", false},
		{"a/b/c", false},
		{"a/", false},
		{"/b", false},
		{"a+/b", false},
		{"a/#", false},
		{"a/" + strings.Repeat("x", 65), false},
	}
	for _, tt := range tests {
		id, err := ParseDeviceID(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("ParseDeviceID(%q) = %v, %v", tt.in, id, err)
		}
		if err == nil && id.String() != tt.in {
			t.Errorf("String() = %q", id.String())
		}
	}
	id := DeviceID{"P", "D"}
	if id.InfoTopic() != "p2pcam/P/D/info" || id.RPCTopic() != "p2pcam/P/D/rpc" || InboxTopic("v1") != "p2pcam/viewer/v1/inbox" {
		t.Error("topics changed: update docs/protocol.md and the broker ACLs too")
	}
}

func TestDeviceInfo(t *testing.T) {
	in := DeviceInfo{Version: InfoVersion, Online: true, Boot: "b1", PublicKey: "k", Since: 5, Agent: "p2pcamd/dev"}
	out, err := DecodeDeviceInfo(in.Encode())
	if err != nil || out != in {
		t.Fatalf("round trip = %+v, %v", out, err)
	}
	for _, bad := range []string{`{}`, `{"v":2,"boot":"b","pubkey":"k"}`, `{"v":1,"pubkey":"k"}`, `[`} {
		if _, err := DecodeDeviceInfo([]byte(bad)); !errors.Is(err, ErrMalformed) {
			t.Errorf("DecodeDeviceInfo(%s) err = %v", bad, err)
		}
	}
}

func TestAnswerSigningBytesSeparatesFields(t *testing.T) {
	a := AnswerSigningBytes(session, "ab", "c")
	b := AnswerSigningBytes(session, "a", "bc")
	if bytes.Equal(a, b) {
		t.Fatal("fields run into each other")
	}
}

func FuzzDecode(f *testing.F) {
	for _, tt := range decodeCases {
		f.Add([]byte(tt.in))
	}
	f.Add([]byte(`{"type":"candidate","session":"` + session + `","candidate":{"candidate":"x","sdpMLineIndex":0}}`))
	f.Add([]byte(`{"v":1,"online":true,"boot":"b","pubkey":"k","since":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if m, err := Decode(b); err == nil {
			if _, err := m.Encode(); err != nil {
				t.Fatalf("decoded message does not encode: %v", err)
			}
		} else if !errors.Is(err, ErrMalformed) {
			t.Fatal(err)
		}
		if _, err := DecodeDeviceInfo(b); err != nil && !errors.Is(err, ErrMalformed) {
			t.Fatal(err)
		}
	})
}
