package agent

import (
	"testing"
)

// tlsRecordCases drive TestTLSRecordRest and seed FuzzTLSRecordRest.
var tlsRecordCases = []struct {
	name string
	in   []byte
	rest int
	tls  bool
}{
	{"nothing", nil, 0, false},
	{"HTTP request", []byte("GET / HTTP/1.1\r\n"), 0, false},
	{"empty line first", []byte("\r\nGET / HTTP/1.1\r\n"), 0, false},
	{"handshake byte alone", []byte{0x16}, tlsMaxRecord, true},
	{"header without length", []byte{0x16, 0x03, 0x01}, tlsMaxRecord, true},
	{"whole 512-byte hello", append([]byte{0x16, 0x03, 0x01, 0x02, 0x00}, make([]byte, 512)...), 0, true},
	{"first 100 of a 512-byte hello", append([]byte{0x16, 0x03, 0x01, 0x02, 0x00}, make([]byte, 95)...), 417, true},
	{"length over the limit", []byte{0x16, 0x03, 0x01, 0xff, 0xff}, tlsMaxRecord, true},
	{"more than the record", append([]byte{0x16, 0x03, 0x01, 0x00, 0x01}, make([]byte, 10)...), 0, true},
}

func TestTLSRecordRest(t *testing.T) {
	for _, tc := range tlsRecordCases {
		rest, ok := tlsRecordRest(tc.in)
		if rest != tc.rest || ok != tc.tls {
			t.Errorf("%s: tlsRecordRest = %d, %v; want %d, %v", tc.name, rest, ok, tc.rest, tc.tls)
		}
	}
}

func FuzzTLSRecordRest(f *testing.F) {
	for _, tc := range tlsRecordCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		rest, ok := tlsRecordRest(b)
		if rest < 0 || rest > tlsMaxRecord {
			t.Fatalf("rest %d out of range", rest)
		}
		if ok != (len(b) > 0 && b[0] == tlsHandshakeRecord) {
			t.Fatalf("tls = %v for first byte %#x", ok, b[0])
		}
	})
}
