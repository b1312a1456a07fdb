package throttle

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/internal/clock"
)

func TestBackoff(t *testing.T) {
	s := time.Second
	for _, tc := range []struct {
		name  string
		cfg   BackoffConfig
		steps []string // f: fail, s: succeed, +D: advance D
		want  []time.Duration
	}{
		{"free failures cost nothing", BackoffConfig{Free: 3}, []string{"f", "f", "f"}, []time.Duration{0, 0, 0}},
		{"doubles after the free ones", BackoffConfig{Free: 2}, []string{"f", "f", "f", "f", "f"}, []time.Duration{0, 0, s, 2 * s, 4 * s}},
		{"capped", BackoffConfig{Free: -1, Max: 3 * s}, []string{"f", "f", "f", "f"}, []time.Duration{s, 2 * s, 3 * s, 3 * s}},
		{"success clears", BackoffConfig{Free: -1}, []string{"f", "f", "s", "f"}, []time.Duration{s, 2 * s, 0, s}},
		{"forgotten after Forget", BackoffConfig{Free: -1, Forget: 10 * s}, []string{"f", "f", "+10s", "f"}, []time.Duration{s, 2 * s, 0, s}},
		{"remembered within Forget", BackoffConfig{Free: -1, Forget: 10 * s}, []string{"f", "f", "+9s", "f"}, []time.Duration{s, 2 * s, 0, 4 * s}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := clock.NewFake(time.Unix(1e9, 0))
			tc.cfg.Clock = clk
			b := NewBackoff(tc.cfg)
			for i, st := range tc.steps {
				var got time.Duration
				switch {
				case st == "f":
					got = b.Fail("k")
				case st == "s":
					b.Succeed("k")
				default:
					d, err := time.ParseDuration(st[1:])
					if err != nil {
						t.Fatal(err)
					}
					clk.Advance(d)
				}
				if got != tc.want[i] {
					t.Errorf("step %d (%s): wait %v, want %v", i, st, got, tc.want[i])
				}
				if st == "f" && b.Wait("k") != got {
					t.Errorf("step %d: Wait = %v after Fail returned %v", i, b.Wait("k"), got)
				}
			}
		})
	}
}

func TestBackoffWaitRunsOut(t *testing.T) {
	clk := clock.NewFake(time.Unix(1e9, 0))
	b := NewBackoff(BackoffConfig{Free: -1, Clock: clk})
	b.Fail("k")
	b.Fail("k") // 2s
	clk.Advance(1500 * time.Millisecond)
	if w := b.Wait("k"); w != 500*time.Millisecond {
		t.Fatalf("Wait = %v, want 500ms", w)
	}
	clk.Advance(500 * time.Millisecond)
	if w := b.Wait("k"); w != 0 {
		t.Fatalf("Wait = %v after the wait, want 0", w)
	}
	if w := b.Wait("other"); w != 0 {
		t.Fatalf("an unknown key waits %v", w)
	}
}

func TestBackoffBoundedKeys(t *testing.T) {
	clk := clock.NewFake(time.Unix(1e9, 0))
	b := NewBackoff(BackoffConfig{Free: -1, MaxKeys: 100, Clock: clk})
	for i := range 10000 {
		b.Fail(fmt.Sprint("key", i))
		if i%1000 == 0 {
			clk.Advance(time.Second)
		}
	}
	if n := b.Len(); n > 100 {
		t.Fatalf("%d keys tracked, want at most 100", n)
	}
	// The newest key is still tracked: its second failure waits longer.
	if w := b.Fail("key9999"); w != 2*time.Second {
		t.Fatalf("the newest key's second failure waits %v, want 2s", w)
	}
}

func TestEvery(t *testing.T) {
	e := Every{Interval: 10 * time.Second}
	t0 := time.Unix(1e9, 0)
	type tick struct {
		at    time.Duration
		n     int
		ok    bool
		label string
	}
	for _, tc := range []tick{
		{0, 1, true, "the first event is reported"},
		{time.Second, 0, false, "within the interval: counted"},
		{2 * time.Second, 0, false, "counted"},
		{10 * time.Second, 3, true, "the interval passed: three since the last"},
		{11 * time.Second, 0, false, "counted"},
		{25 * time.Second, 2, true, "reported"},
	} {
		n, ok := e.Tick(t0.Add(tc.at))
		if n != tc.n || ok != tc.ok {
			t.Errorf("%s: Tick at %v = %d, %v; want %d, %v", tc.label, tc.at, n, ok, tc.n, tc.ok)
		}
	}
}

// addrKeyCases drive TestAddrKey and seed FuzzAddrKey.
var addrKeyCases = []struct{ in, want string }{
	{"192.0.2.7:5555", "192.0.2.7"},
	{"192.0.2.7", "192.0.2.7"},
	{"[::ffff:192.0.2.7]:80", "192.0.2.7"},
	{"[2001:db8:1:2:3:4:5:6]:443", "2001:db8:1:2::/64"},
	{"[fe80::1%eth0]:80", "fe80::/64"},
	{"not an address", "not an address"},
	{"@", "@"},
}

func TestEveryKey(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	e := EveryKey{Interval: 10 * time.Second, MaxKeys: 2}
	tests := []struct {
		key string
		at  time.Duration
		ok  bool
		n   int
	}{
		{"alice", 0, true, 1},
		{"alice", time.Second, false, 0},
		{"bob", time.Second, true, 1},
		{"carol", 2 * time.Second, true, 1}, // over MaxKeys, none quiet: through, uncounted
		{"carol", 3 * time.Second, true, 1},
		{"alice", 9 * time.Second, false, 0},
		{"alice", 10 * time.Second, true, 3},
		{"alice", 11 * time.Second, false, 0},
		{"carol", 12 * time.Second, true, 1}, // bob is quiet now and forgotten
		{"carol", 13 * time.Second, false, 0},
	}
	for i, tt := range tests {
		n, ok := e.Tick(tt.key, t0.Add(tt.at))
		if ok != tt.ok || n != tt.n {
			t.Errorf("%d: Tick(%s, %v) = %d, %v; want %d, %v", i, tt.key, tt.at, n, ok, tt.n, tt.ok)
		}
	}
}

func TestAddrKey(t *testing.T) {
	for _, tc := range addrKeyCases {
		if got := AddrKey(tc.in); got != tc.want {
			t.Errorf("AddrKey(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzAddrKey: every IPv6 address of one /64 has one key, and a key is
// never empty unless the address was.
func FuzzAddrKey(f *testing.F) {
	for _, tc := range addrKeyCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, remote string) {
		key := AddrKey(remote)
		if key == "" && remote != "" {
			t.Fatalf("AddrKey(%q) is empty", remote)
		}
		if ip, err := netip.ParseAddr(key); err == nil && ip.Is6() && !ip.Is4In6() {
			t.Fatalf("AddrKey(%q) = %q: a whole IPv6 address, not its /64", remote, key)
		}
	})
}
