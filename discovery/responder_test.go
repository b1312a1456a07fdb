package discovery

import (
	"context"
	"net"
	"net/netip"
	"strconv"
	"testing"
	"time"
)

// startResponder serves cam on a loopback port until the test ends.
func startResponder(t *testing.T, cfg Config) (*Responder, int) {
	t.Helper()
	r, err := NewResponder(cfg)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Serve(ctx, conn) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return r, conn.LocalAddr().(*net.UDPAddr).Port
}

var testCamera = Camera{ProductID: "p2pcam", DeviceName: "sim", LANPort: 8080, NeedsToken: true, Channels: 3}

func TestBrowseLoopback(t *testing.T) {
	_, port := startResponder(t, Config{Camera: func() Camera { return testCamera }})
	target := "127.0.0.1:" + strconv.Itoa(port)
	got, err := Browse(context.Background(), BrowseConfig{Targets: []string{target}, NoBroadcast: true, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].URL != "http://127.0.0.1:8080" || !got[0].NeedsToken || got[0].Channels != 3 || got[0].DeviceName != "sim" {
		t.Fatalf("Browse = %+v, want the camera once", got)
	}
	// A filter for another device gets no answer.
	got, err = Browse(context.Background(), BrowseConfig{Targets: []string{target}, NoBroadcast: true, Timeout: 500 * time.Millisecond,
		Filter: Probe{DeviceName: "other"}})
	if err != nil || len(got) != 0 {
		t.Fatalf("Browse for another device = %+v, %v; want nothing", got, err)
	}
}

// Malformed, small and big datagrams are ignored, and a sender gets at
// most PerAddress answers a second however many probes it sends.
func TestResponderIgnoresAndLimits(t *testing.T) {
	now := time.Unix(1000, 0)
	r, port := startResponder(t, Config{Camera: func() Camera { return testCamera }, PerAddress: 2, Now: func() time.Time { return now }})
	c, err := net.DialUDP("udp4", nil, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, pc := range probeCases {
		if pc.want != nil {
			if _, err := c.Write([]byte(pc.body)); err != nil {
				t.Fatal(err)
			}
		}
	}
	probe := []byte(mustProbe(t, Probe{ClientToken: "x"}))
	for range 5 {
		if _, err := c.Write(probe); err != nil {
			t.Fatal(err)
		}
	}
	var answers int
	buf := make([]byte, 2048)
	for {
		_ = c.SetReadDeadline(time.Now().Add(time.Second))
		n, err := c.Read(buf)
		if err != nil {
			break
		}
		answers++
		if n > len(probe) {
			t.Errorf("answer of %d bytes to a probe of %d", n, len(probe))
		}
	}
	if answers != 2 || r.Answered() != 2 {
		t.Errorf("%d answers (%d counted), want 2 (the per-address limit)", answers, r.Answered())
	}
	bad := 0
	for _, pc := range probeCases {
		if pc.want != nil {
			bad++
		}
	}
	if got := r.Ignored(); got != int64(bad+3) {
		t.Errorf("ignored %d, want %d malformed and 3 over the limit", got, bad)
	}
}

// Answers name LAN mode's own address when it listens on one, and a
// camera whose LAN mode serves only itself (loopback) answers no one else.
func TestAnswerHost(t *testing.T) {
	probe := []byte(mustProbe(t, Probe{ClientToken: "x"}))
	for _, tc := range []struct {
		name, lanHost, from, want string
	}{
		{"any address", "", "127.0.0.1:5000", "http://127.0.0.1:8080"},
		{"0.0.0.0", "0.0.0.0", "127.0.0.1:5000", "http://127.0.0.1:8080"},
		{"one address", "10.9.8.7", "127.0.0.1:5000", "http://10.9.8.7:8080"},
		{"loopback to loopback", "127.0.0.1", "127.0.0.1:5000", "http://127.0.0.1:8080"},
		{"loopback to another host", "127.0.0.1", "10.0.0.3:5000", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cam := testCamera
			if tc.lanHost != "" {
				cam.LANHost = netip.MustParseAddr(tc.lanHost)
			}
			r, err := NewResponder(Config{Camera: func() Camera { return cam }})
			if err != nil {
				t.Fatal(err)
			}
			ans := r.answer(probe, netip.MustParseAddrPort(tc.from))
			if tc.want == "" {
				if ans != nil {
					t.Fatalf("answered %s", ans)
				}
				return
			}
			m, err := UnmarshalMatch(ans)
			if err != nil || m.URL != tc.want {
				t.Fatalf("answer %+v %v, want URL %s", m, err, tc.want)
			}
		})
	}
}

func TestLimiter(t *testing.T) {
	l := limiter{perAddr: 2, total: 3}
	t0 := time.Unix(0, 0)
	a, b, c := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2"), netip.MustParseAddr("10.0.0.3")
	for i, tc := range []struct {
		from netip.Addr
		at   time.Duration
		want bool
	}{
		{a, 0, true}, {a, 0, true}, {a, 0, false}, // per address
		{b, 0, true}, {c, 0, false}, // in total
		{a, time.Second, true}, {c, time.Second, true}, // a new window
	} {
		if got := l.allow(tc.from, t0.Add(tc.at)); got != tc.want {
			t.Errorf("%d: allow(%v, %v) = %v, want %v", i, tc.from, tc.at, got, tc.want)
		}
	}
}

// BenchmarkAnswer is the cost of one datagram to a camera: each case of
// probeCases (ignored ones cost a parse) and a good probe (a parse, the
// limiter, a route lookup and the match).
func BenchmarkAnswer(b *testing.B) {
	r, err := NewResponder(Config{Camera: func() Camera { return testCamera }, PerAddress: 1 << 30, Total: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	from := netip.MustParseAddrPort("127.0.0.1:40000")
	for _, c := range probeCases {
		b.Run(c.name, func(b *testing.B) {
			body := []byte(c.body)
			b.ReportAllocs()
			for b.Loop() {
				if ans := r.answer(body, from); (ans != nil) != (c.want == nil) {
					b.Fatalf("answer %q", ans)
				}
			}
		})
	}
}
