package discovery

import (
	"errors"
	"strings"
	"testing"
)

func mustProbe(t testing.TB, p Probe) string {
	b, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// pad pads a JSON object with spaces to MinProbeSize.
func pad(s string) string {
	if n := MinProbeSize - len(s); n > 0 {
		return s[:len(s)-1] + strings.Repeat(" ", n) + "}"
	}
	return s
}

// probeCases drive the probe test and seed the fuzz test.
var probeCases = []struct {
	name, body string
	want       error // nil: a probe
}{
	{"any camera", pad(`{"method":"probe","clientToken":"abc","params":{}}`), nil},
	{"one device", pad(`{"method":"probe","clientToken":"abc","params":{"productId":"p2pcam","deviceName":"sim"}}`), nil},
	{"padded", pad(`{"method":"probe","clientToken":"abc","params":{},"pad":"    "}`), nil},
	{"small", `{"method":"probe","clientToken":"abc","params":{}}`, ErrTooSmall},
	{"big", pad(`{"method":"probe","clientToken":"abc","params":{}}`) + strings.Repeat(" ", MaxProbeSize), ErrTooBig},
	{"a match", pad(`{"method":"probeMatch","clientToken":"abc","params":{}}`), ErrMalformed},
	{"match fields", pad(`{"method":"probe","clientToken":"abc","params":{"url":"http://1.2.3.4:80"}}`), ErrMalformed},
	{"unknown field", pad(`{"method":"probe","clientToken":"abc","params":{},"x":1}`), ErrMalformed},
	{"pad not spaces", pad(`{"method":"probe","clientToken":"abc","params":{},"pad":"xxxx"}`), ErrMalformed},
	{"control character", pad(`{"method":"probe","clientToken":"a\u001bb","params":{}}`), ErrMalformed},
	{"two messages", pad(`{"method":"probe","params":{}}{"method":"probe","params":{}}`), ErrMalformed},
	{"not JSON", strings.Repeat("A", MinProbeSize), ErrMalformed},
	{"long token", pad(`{"method":"probe","clientToken":"` + strings.Repeat("t", 300) + `","params":{}}`), ErrMalformed},
}

func TestUnmarshalProbe(t *testing.T) {
	for _, c := range probeCases {
		t.Run(c.name, func(t *testing.T) {
			_, err := UnmarshalProbe([]byte(c.body))
			if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
				t.Fatalf("UnmarshalProbe: %v, want %v", err, c.want)
			}
		})
	}
	p := Probe{ClientToken: "tok", ProductID: "p2pcam", DeviceName: "sim"}
	b := mustProbe(t, p)
	if len(b) != MinProbeSize {
		t.Errorf("probe of %d bytes, want %d", len(b), MinProbeSize)
	}
	if got, err := UnmarshalProbe([]byte(b)); err != nil || got != p {
		t.Errorf("round trip: %+v %v", got, err)
	}
}

// matchCases drive the match test and seed the fuzz test.
var matchCases = []struct {
	name, body string
	ok         bool
}{
	{"camera", `{"method":"probeMatch","clientToken":"abc","params":{"productId":"p2pcam","deviceName":"sim","url":"http://10.0.0.2:8080","auth":"token","channels":3}}`, true},
	{"no url", `{"method":"probeMatch","clientToken":"abc","params":{"productId":"p2pcam","deviceName":"sim","auth":"none","channels":1}}`, false},
	{"https url", `{"method":"probeMatch","clientToken":"abc","params":{"productId":"p","deviceName":"d","url":"https://10.0.0.2:8080","auth":"none","channels":1}}`, false},
	{"url without port", `{"method":"probeMatch","clientToken":"abc","params":{"productId":"p","deviceName":"d","url":"http://10.0.0.2","auth":"none","channels":1}}`, false},
	{"bad auth", `{"method":"probeMatch","clientToken":"abc","params":{"productId":"p","deviceName":"d","url":"http://10.0.0.2:1","auth":"maybe","channels":1}}`, false},
	{"no channels", `{"method":"probeMatch","clientToken":"abc","params":{"productId":"p","deviceName":"d","url":"http://10.0.0.2:1","auth":"none"}}`, false},
	{"a probe", pad(`{"method":"probe","clientToken":"abc","params":{}}`), false},
	{"garbage", "\x00\x01", false},
}

func TestUnmarshalMatch(t *testing.T) {
	for _, c := range matchCases {
		t.Run(c.name, func(t *testing.T) {
			_, err := UnmarshalMatch([]byte(c.body))
			if (err == nil) != c.ok {
				t.Fatalf("UnmarshalMatch: %v, want ok=%v", err, c.ok)
			}
		})
	}
	m := Match{ClientToken: "tok", ProductID: "p2pcam", DeviceName: "sim", URL: "http://10.0.0.2:8080", NeedsToken: true, Channels: 2}
	b, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if got, err := UnmarshalMatch(b); err != nil || got != m {
		t.Errorf("round trip: %+v %v", got, err)
	}
	// The largest match fits under the smallest probe.
	long := strings.Repeat("x", 64)
	m = Match{ClientToken: strings.Repeat("t", 32), ProductID: long, DeviceName: long, URL: "http://[fe80::1234:5678:9abc:def0]:65535", Channels: 256}
	if b, err := m.Marshal(); err != nil || len(b) > MinProbeSize {
		t.Errorf("largest match: %d bytes, %v; want at most %d", len(b), err, MinProbeSize)
	}
}

// FuzzUnmarshal: a probe or a match, or an error, never a panic; a probe
// that parses is within the size limits, and a match names an http URL.
func FuzzUnmarshal(f *testing.F) {
	for _, c := range probeCases {
		f.Add(c.body)
	}
	for _, c := range matchCases {
		f.Add(c.body)
	}
	f.Fuzz(func(t *testing.T, body string) {
		if _, err := UnmarshalProbe([]byte(body)); err == nil && (len(body) < MinProbeSize || len(body) > MaxProbeSize) {
			t.Fatalf("probe of %d bytes accepted", len(body))
		}
		if m, err := UnmarshalMatch([]byte(body)); err == nil {
			if !strings.HasPrefix(m.URL, "http://") || m.Channels < 1 {
				t.Fatalf("match %+v", m)
			}
			if _, err := m.Marshal(); err != nil {
				t.Fatalf("match %+v does not marshal: %v", m, err)
			}
		}
	})
}
