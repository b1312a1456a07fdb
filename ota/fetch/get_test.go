package fetch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// file is what a test server serves: content under an ETag, replaced
// when a test changes it.
type file struct {
	mu   sync.Mutex
	data []byte
	etag string
}

func (f *file) set(data []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	sum := sha256.Sum256(data)
	f.data, f.etag = data, `"`+hex.EncodeToString(sum[:8])+`"`
}

func (f *file) get() ([]byte, string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.data, f.etag
}

// server serves f. cuts lists, for successive requests, after how many
// body bytes the connection is dropped (-1: not cut); ranges false
// ignores Range; after, if set, runs after each cut.
type server struct {
	f      *file
	ranges bool
	cuts   []int
	after  func(n int)

	mu       sync.Mutex
	requests int
	headers  []http.Header
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	n := s.requests
	s.requests++
	s.headers = append(s.headers, r.Header.Clone())
	cut := -1
	if n < len(s.cuts) {
		cut = s.cuts[n]
	}
	s.mu.Unlock()
	data, etag := s.f.get()
	if cut >= 0 {
		w = &cutter{ResponseWriter: w, left: cut, after: func() {
			if s.after != nil {
				s.after(n)
			}
		}}
	}
	w.Header().Set("ETag", etag)
	if !s.ranges {
		r.Header.Del("Range")
		w.Header().Set("Content-Length", fmt.Sprint(len(data)))
		_, _ = w.Write(data)
		return
	}
	http.ServeContent(w, r, "bundle", time.Time{}, bytes.NewReader(data))
}

// cutter passes left body bytes, flushes them and drops the connection.
type cutter struct {
	http.ResponseWriter
	left  int
	after func()
}

func (c *cutter) Write(p []byte) (int, error) {
	if len(p) <= c.left {
		c.left -= len(p)
		return c.ResponseWriter.Write(p)
	}
	_, _ = c.ResponseWriter.Write(p[:c.left])
	c.ResponseWriter.(http.Flusher).Flush()
	c.after()
	panic(http.ErrAbortHandler) // net/http closes the connection
}

func testData(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

func hashOf(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// testConfig downloads fast: no cap, short backoff.
func testConfig() Config {
	return Config{MaxRate: -1, Backoff: time.Millisecond, Logger: quiet()}
}

func TestGet(t *testing.T) {
	const size = 300 << 10
	v1, v2 := testData(size), bytes.Repeat([]byte("new release "), size/12)
	cases := []struct {
		name    string
		ranges  bool
		cuts    []int
		change  bool // the file changes after the first cut
		want    []byte
		resumed int
		restart int
	}{
		{name: "whole", ranges: true, want: v1},
		{name: "cut three times", ranges: true, cuts: []int{50_000, 1, 100_000}, want: v1, resumed: 3},
		{name: "cut at the first byte", ranges: true, cuts: []int{0, 0}, want: v1, restart: 0},
		{name: "server ignores range", ranges: false, cuts: []int{120_000, 10_000}, want: v1, restart: 2},
		{name: "file changes: If-Range restarts", ranges: true, cuts: []int{100_000}, change: true, want: v2, restart: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := &file{}
			f.set(v1)
			s := &server{f: f, ranges: tc.ranges, cuts: tc.cuts}
			if tc.change {
				s.after = func(int) { f.set(v2) }
			}
			ts := httptest.NewServer(s)
			defer ts.Close()
			dst := filepath.Join(t.TempDir(), "b.p2pota")
			var last Progress
			cfg := testConfig()
			cfg.SHA256 = hashOf(tc.want)
			cfg.Progress = func(p Progress) {
				if p.Bytes < last.Bytes && p.Bytes != 0 && tc.restart == 0 {
					t.Errorf("progress went back from %d to %d", last.Bytes, p.Bytes)
				}
				last = p
			}
			res, err := Get(context.Background(), ts.URL+"/b", dst, cfg)
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(dst)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tc.want) || res.SHA256 != hashOf(tc.want) || res.Size != int64(len(tc.want)) {
				t.Fatalf("got %d bytes (hash %s), want %d", len(got), res.SHA256, len(tc.want))
			}
			if res.Attempts != len(tc.cuts)+1 || res.Resumed != tc.resumed || res.Restarted != tc.restart {
				t.Errorf("attempts %d resumed %d restarted %d; want %d, %d, %d",
					res.Attempts, res.Resumed, res.Restarted, len(tc.cuts)+1, tc.resumed, tc.restart)
			}
			if last.Bytes != int64(len(tc.want)) || last.Total != int64(len(tc.want)) {
				t.Errorf("last progress %+v, want %d of %d", last, len(tc.want), len(tc.want))
			}
			if tc.change {
				if h := s.headers[1].Get("If-Range"); h == "" {
					t.Errorf("resume sent no If-Range")
				}
			}
			for _, p := range []string{dst + ".part", dst + ".part.meta"} {
				if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("%s left behind: %v", p, err)
				}
			}
		})
	}
}

func TestGetFails(t *testing.T) {
	data := testData(100 << 10)
	cases := []struct {
		name     string
		handler  http.HandlerFunc
		cfg      func(*Config)
		want     error
		attempts int
	}{
		{name: "not found", handler: func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }, want: ErrStatus, attempts: 1},
		{name: "server error, retried", handler: func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", 503) }, want: ErrGaveUp, attempts: 3,
			cfg: func(c *Config) { c.Retries = 3 }},
		{name: "over the size limit (header)", handler: serveData(data), want: ErrTooLarge, attempts: 1,
			cfg: func(c *Config) { c.MaxSize = 1000 }},
		{name: "over the size limit (no length)", handler: func(w http.ResponseWriter, r *http.Request) {
			w.(http.Flusher).Flush() // chunked: no Content-Length
			_, _ = w.Write(data)
		}, want: ErrTooLarge, attempts: 1, cfg: func(c *Config) { c.MaxSize = 1000 }},
		{name: "wrong hash", handler: serveData(data), want: ErrHash, attempts: 1,
			cfg: func(c *Config) { c.SHA256 = hashOf([]byte("other")) }},
		{name: "wrong size", handler: serveData(data), want: ErrTooLarge, attempts: 1,
			cfg: func(c *Config) { c.Size = 10 }},
		{name: "bad content-range", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Range", "bytes x")
			w.WriteHeader(206)
		}, want: ErrGaveUp, attempts: 2, cfg: func(c *Config) { c.Retries = 2 }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ts := httptest.NewServer(tc.handler)
			defer ts.Close()
			cfg := testConfig()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			dst := filepath.Join(t.TempDir(), "b")
			if tc.name == "bad content-range" { // make Get ask for a range
				_ = os.WriteFile(dst+".part", []byte("x"), 0o600)
				_ = os.WriteFile(dst+".part.meta", []byte(ts.URL+"\n\"v\"\n"), 0o600)
			}
			res, err := Get(context.Background(), ts.URL, dst, cfg)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
			if res.Attempts != tc.attempts {
				t.Errorf("%d attempts, want %d", res.Attempts, tc.attempts)
			}
			if _, err := os.Stat(dst); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("dst exists after a failure: %v", err)
			}
		})
	}
}

func serveData(data []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"x"`)
		http.ServeContent(w, r, "b", time.Time{}, bytes.NewReader(data))
	}
}

func TestBadURL(t *testing.T) {
	for _, u := range []string{"", "ftp://x/y", "file:///etc/passwd", "http://", "::"} {
		if _, err := Get(context.Background(), u, filepath.Join(t.TempDir(), "b"), testConfig()); !errors.Is(err, ErrBadURL) {
			t.Errorf("%q: err %v, want ErrBadURL", u, err)
		}
	}
}

// TestResumeAcrossGets: a Get cancelled mid-way (a daemon stopped)
// leaves its partial file, and the next Get of the same URL resumes it.
func TestResumeAcrossGets(t *testing.T) {
	data := testData(200 << 10)
	f := &file{}
	f.set(data)
	ts := httptest.NewServer(&server{f: f, ranges: true})
	defer ts.Close()
	dst := filepath.Join(t.TempDir(), "b")
	ctx, cancel := context.WithCancel(context.Background())
	cfg := testConfig()
	cfg.MaxRate = 64 << 10 // slow enough to stop mid-way
	cfg.Progress = func(p Progress) {
		if p.Bytes >= 64<<10 {
			cancel()
		}
	}
	if _, err := Get(ctx, ts.URL, dst, cfg); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	fi, err := os.Stat(dst + ".part")
	if err != nil || fi.Size() == 0 {
		t.Fatalf("partial file after cancel: %v", err)
	}
	cfg = testConfig()
	cfg.SHA256 = hashOf(data)
	res, err := Get(context.Background(), ts.URL, dst, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Resumed != 1 || res.Restarted != 0 {
		t.Errorf("resumed %d restarted %d, want 1, 0", res.Resumed, res.Restarted)
	}
	// Another URL does not resume this one's bytes.
	if _, err := Get(ctx, ts.URL+"/other", filepath.Join(t.TempDir(), "c"), cfg); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
}

// TestStall: a server that stops sending mid-body is cut after
// Config.Stall and resumed.
func TestStall(t *testing.T) {
	data := testData(100 << 10)
	var n int
	var mu sync.Mutex
	done := make(chan struct{})
	defer close(done)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		first := n == 1
		mu.Unlock()
		w.Header().Set("ETag", `"s"`)
		if first {
			w.Header().Set("Content-Length", fmt.Sprint(len(data)))
			_, _ = w.Write(data[:1000])
			w.(http.Flusher).Flush()
			select { // hang until the client gives up or the test ends
			case <-r.Context().Done():
			case <-done:
			}
			return
		}
		http.ServeContent(w, r, "b", time.Time{}, bytes.NewReader(data))
	}))
	defer ts.Close()
	cfg := testConfig()
	cfg.Stall = 200 * time.Millisecond
	cfg.SHA256 = hashOf(data)
	res, err := Get(context.Background(), ts.URL, filepath.Join(t.TempDir(), "b"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Resumed != 1 {
		t.Errorf("resumed %d, want 1", res.Resumed)
	}
}
