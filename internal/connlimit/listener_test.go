package connlimit

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/internal/clock"
	"github.com/p2pcam/p2pcam/internal/syncbuf"
)

// rig is an HTTP server behind a Listener on loopback. "/" answers at
// once; "/hold" holds its request until the test ends.
type rig struct {
	t       *testing.T
	l       *Listener
	addr    string
	clk     *clock.Fake
	entered chan struct{} // a /hold request started
	release chan struct{}
}

func newRig(t *testing.T, cfg Config) *rig {
	return newRigLog(t, cfg, io.Discard)
}

// newRigLog is newRig logging to logs.
func newRigLog(t *testing.T, cfg Config, logs io.Writer) *rig {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, addr: ln.Addr().String(), clk: clock.NewFake(time.Unix(1e9, 0)),
		entered: make(chan struct{}, 100), release: make(chan struct{})}
	cfg.Clock = r.clk
	cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
	r.l = New(ln, cfg)
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") })
	mux.HandleFunc("/hold", func(w http.ResponseWriter, req *http.Request) {
		r.entered <- struct{}{}
		select {
		case <-r.release:
		case <-req.Context().Done():
		}
	})
	srv := &http.Server{Handler: mux, ConnState: r.l.ConnState, ReadHeaderTimeout: time.Minute}
	go srv.Serve(r.l)
	t.Cleanup(func() {
		close(r.release)
		srv.Close()
	})
	return r
}

// client is a connection from 127.0.0.host.
type client struct {
	net.Conn
	br *bufio.Reader
}

func (r *rig) dial(host int) *client {
	r.t.Helper()
	d := net.Dialer{Timeout: 10 * time.Second, LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(host))}}
	c, err := d.Dial("tcp", r.addr)
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { c.Close() })
	return &client{Conn: c, br: bufio.NewReader(c)}
}

// get requests path and reads the answer: its status and body.
func (c *client) get(path string) (int, string, error) {
	if _, err := fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: camera\r\n\r\n", path); err != nil {
		return 0, "", err
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

// closed reports whether the server closed c, waiting up to 10 s.
func (c *client) closed() bool {
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err := c.br.ReadByte()
	var ne net.Error
	return err != nil && !(errors.As(err, &ne) && ne.Timeout())
}

// waitStats waits up to 10 s for the listener's stats to satisfy ok.
func (r *rig) waitStats(what string, ok func(Stats) bool) {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok(r.l.Stats()) {
		if time.Now().After(deadline) {
			r.t.Fatalf("waiting for %s: stats %+v", what, r.l.Stats())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// holder is a connection opened before the newcomer: idle (one request
// answered), active (a request in progress) or new (no request yet).
type holder struct {
	kind string
	host int
}

func TestListener(t *testing.T) {
	for _, tc := range []struct {
		name       string
		cfg        Config
		holders    []holder
		grace      bool // advance the clock past NewGrace before the newcomer
		newcomer   int  // host of the newcomer
		admitted   bool
		evictedIdx int // the holder closed to make room, or -1
	}{
		{"under the caps", Config{MaxConns: 4, MaxPerAddr: 2}, []holder{{"active", 1}}, false, 1, true, -1},
		{"address full, none idle: refused", Config{MaxConns: 8, MaxPerAddr: 2},
			[]holder{{"active", 1}, {"active", 1}}, false, 1, false, -1},
		{"address full: its idlest makes room", Config{MaxConns: 8, MaxPerAddr: 2},
			[]holder{{"idle", 1}, {"active", 1}}, false, 1, true, 0},
		{"address full: another address's idle one stays", Config{MaxConns: 8, MaxPerAddr: 2},
			[]holder{{"idle", 2}, {"active", 1}, {"active", 1}}, false, 1, false, -1},
		{"full: the idlest of any address makes room", Config{MaxConns: 3, MaxPerAddr: 3},
			[]holder{{"idle", 2}, {"idle", 3}, {"active", 4}}, false, 5, true, 0},
		{"full, none idle: refused", Config{MaxConns: 2, MaxPerAddr: 2},
			[]holder{{"active", 2}, {"active", 3}}, false, 4, false, -1},
		{"a silent connection within its grace stays", Config{MaxConns: 2},
			[]holder{{"new", 2}, {"active", 3}}, false, 4, false, -1},
		{"full: the heaviest address's silent connection makes room", Config{MaxConns: 3},
			[]holder{{"new", 2}, {"new", 2}, {"active", 3}}, false, 4, true, 0},
		{"full: no room taken from an address no heavier", Config{MaxConns: 3},
			[]holder{{"new", 2}, {"new", 2}, {"active", 3}}, false, 2, false, -1},
		{"a silent connection past its grace makes room", Config{MaxConns: 2},
			[]holder{{"new", 2}, {"active", 3}}, true, 4, true, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, tc.cfg)
			var holders []*client
			idle := 0
			for _, h := range tc.holders {
				c := r.dial(h.host)
				holders = append(holders, c)
				switch h.kind {
				case "idle":
					if st, _, err := c.get("/"); err != nil || st != http.StatusOK {
						t.Fatalf("holder: %d, %v", st, err)
					}
					idle++
				case "active":
					fmt.Fprintf(c, "GET /hold HTTP/1.1\r\nHost: camera\r\n\r\n")
					<-r.entered
				}
				r.waitStats("the holders", func(s Stats) bool { return s.Open == len(holders) && s.Idle == idle })
			}
			if tc.grace {
				r.clk.Advance(DefaultNewGrace)
			}
			st, body, err := r.dial(tc.newcomer).get("/")
			if err != nil {
				t.Fatalf("newcomer: %v", err)
			}
			if tc.admitted && st != http.StatusOK {
				t.Fatalf("newcomer got %d %q, want 200", st, body)
			}
			if !tc.admitted && (st != http.StatusServiceUnavailable || body != "too many connections: close idle ones first\n") {
				t.Fatalf("newcomer got %d %q, want the 503 refusal", st, body)
			}
			s := r.l.Stats()
			wantEvicted := int64(0)
			if tc.evictedIdx >= 0 {
				wantEvicted = 1
				if !holders[tc.evictedIdx].closed() {
					t.Errorf("holder %d was not closed to make room", tc.evictedIdx)
				}
			}
			if s.Evicted != wantEvicted || (s.Refused == 1) == tc.admitted {
				t.Errorf("stats %+v: want %d evicted, refused %v", s, wantEvicted, !tc.admitted)
			}
			if s.Open > tc.cfg.withDefaults().MaxConns {
				t.Errorf("%d connections open, over the cap", s.Open)
			}
		})
	}
}

// TestListenerFlood: 500 connections from one address, each making one
// request and then idling, never hold more than the per-address cap, and
// each is served (the idlest older one makes room).
func TestListenerFlood(t *testing.T) {
	r := newRig(t, Config{MaxConns: 64, MaxPerAddr: 16})
	const n = 500
	for i := range n {
		c := r.dial(1)
		if st, _, err := c.get("/"); err != nil || st != http.StatusOK {
			t.Fatalf("connection %d: %d, %v", i, st, err)
		}
		if s := r.l.Stats(); s.Open > 16 {
			t.Fatalf("connection %d: %d open, over the per-address cap", i, s.Open)
		}
	}
	s := r.l.Stats()
	if s.Admitted != n || s.Evicted < n-16 || s.Refused != 0 {
		t.Fatalf("stats %+v: want %d admitted, %d or more evicted", s, n, n-16)
	}
}

// TestListenerRefusalFlood: refusing a flood of connections that are
// never idle costs no goroutine per connection, closes each, and is
// logged once per interval (the fake clock stands still: once).
func TestListenerRefusalFlood(t *testing.T) {
	var logs syncbuf.Buffer
	r := newRigLog(t, Config{MaxConns: 2, MaxPerAddr: 2}, &logs)
	for range 2 {
		c := r.dial(1)
		fmt.Fprintf(c, "GET /hold HTTP/1.1\r\nHost: camera\r\n\r\n")
		<-r.entered
	}
	var wg sync.WaitGroup
	const n = 200
	refused := make(chan bool, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := net.Dialer{Timeout: 10 * time.Second}
			c, err := d.Dial("tcp", r.addr)
			if err != nil {
				refused <- false
				return
			}
			defer c.Close()
			_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
			_, err = io.Copy(io.Discard, c) // the refusal, or nothing, then the end
			var ne net.Error
			refused <- !(errors.As(err, &ne) && ne.Timeout())
		}()
	}
	wg.Wait()
	close(refused)
	for ok := range refused {
		if !ok {
			t.Fatal("a connection over the cap was not closed within 10s")
		}
	}
	r.waitStats("the refusals", func(s Stats) bool { return s.Refused == n && s.Open == 2 })
	if got := strings.Count(logs.String(), "connection refused"); got != 1 {
		t.Errorf("%d refusals logged %d times, want once:\n%s", n, got, logs.String())
	}
}
