package agent

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
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

// plainListener under an http.Server: a TLS ClientHello gets the 400 at
// once, an HTTP request its answer, on the same listener.
func TestPlainListener(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") }),
		ReadHeaderTimeout: time.Minute}
	go srv.Serve(plainListener{ln})
	t.Cleanup(func() { srv.Close() })
	hello := append([]byte{0x16, 0x03, 0x01, 0x00, 0x40}, bytes.Repeat([]byte{'A'}, 0x40)...)
	for _, tc := range []struct {
		name string
		send []byte
		code int
		body string
	}{
		{"HTTP", []byte("GET / HTTP/1.1\r\nHost: camera\r\n\r\n"), 200, "ok"},
		{"TLS", hello, 400, "use http://"},
		{"TLS, record in two pieces", hello[:3], 400, "use http://"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := net.DialTimeout("tcp", ln.Addr().String(), 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(10 * time.Second))
			if _, err := c.Write(tc.send); err != nil {
				t.Fatal(err)
			}
			if len(tc.send) < len(hello) && tc.code == 400 {
				if _, err := c.Write(hello[len(tc.send):]); err != nil {
					t.Fatal(err)
				}
			}
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(resp.Body)
			if err != nil || resp.StatusCode != tc.code || !strings.Contains(string(b), tc.body) {
				t.Fatalf("%d %q (%v), want %d with %q", resp.StatusCode, b, err, tc.code, tc.body)
			}
		})
	}
}
