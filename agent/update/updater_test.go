package update

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/ota"
	"github.com/p2pcam/p2pcam/ota/fetch"
	"github.com/p2pcam/p2pcam/ota/otatest"
	"github.com/p2pcam/p2pcam/protocol"
)

var (
	releaseKey = otatest.Key(1)
	wrongKey   = otatest.Key(2)
)

// rig is an updater with a file server and a record of its statuses.
type rig struct {
	u   *Updater
	dir string
	srv *httptest.Server

	mu       sync.Mutex
	statuses []protocol.OTAStatus
	changed  chan struct{}
}

func newRig(t *testing.T, current string, inst Installer, files map[string][]byte) *rig {
	t.Helper()
	r := &rig{dir: t.TempDir(), changed: make(chan struct{}, 1)}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, ok := files[req.URL.Path]
		if !ok {
			http.NotFound(w, req)
			return
		}
		w.Header().Set("ETag", `"e"`)
		http.ServeContent(w, req, "b", time.Time{}, bytes.NewReader(b))
	}))
	t.Cleanup(r.srv.Close)
	r.u = New(Config{
		Dir: r.dir, Trusted: []ed25519.PublicKey{releaseKey.Public().(ed25519.PublicKey)},
		Current: current, Product: "acme", Arch: "arm64",
		Fetch:     fetch.Config{MaxRate: -1, Backoff: time.Millisecond},
		Installer: inst,
		OnStatus: func(s protocol.OTAStatus) {
			r.mu.Lock()
			r.statuses = append(r.statuses, s)
			r.mu.Unlock()
			select {
			case r.changed <- struct{}{}:
			default:
			}
		},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.u.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return r
}

// await waits for a final status.
func (r *rig) await(t *testing.T) protocol.OTAStatus {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		if s := r.u.Status(); (s.Done() || s.State == protocol.OTAInstalled) && s.State != protocol.OTAIdle {
			return s
		}
		select {
		case <-r.changed:
		case <-deadline:
			t.Fatalf("no final status; now %+v", r.u.Status())
		}
	}
}

func (r *rig) states() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, s := range r.statuses {
		if len(out) == 0 || out[len(out)-1] != s.State {
			out = append(out, s.State)
		}
	}
	return out
}

type recordInstaller struct {
	mu    sync.Mutex
	paths []string
	err   error
}

func (i *recordInstaller) Install(ctx context.Context, path string) error {
	i.mu.Lock()
	defer i.mu.Unlock()
	if _, err := os.Stat(path); err != nil {
		return err
	}
	i.paths = append(i.paths, path)
	return i.err
}

func TestUpdate(t *testing.T) {
	agent := bytes.Repeat([]byte("arm64 p2pcamd 1.1.0 "), 20000)
	good := otatest.Make(t, releaseKey, "acme", "1.1.0", "1.0.0", "arm64", agent)
	forged := otatest.Make(t, wrongKey, "acme", "1.1.0", "1.0.0", "arm64", agent)
	cases := []struct {
		name      string
		bundle    otatest.Bundle
		inst      *recordInstaller
		state     string
		errHas    string
		states    []string
		keepsFile bool
	}{
		{name: "no installer: downloaded", bundle: good, state: protocol.OTADownloaded,
			states: []string{"downloading", "verifying", "downloaded"}, keepsFile: true},
		{name: "installed", bundle: good, inst: &recordInstaller{}, state: protocol.OTAInstalled,
			states: []string{"downloading", "verifying", "installing", "installed"}, keepsFile: true},
		{name: "install fails", bundle: good, inst: &recordInstaller{err: errors.New("slot B is bad")}, state: protocol.OTAFailed,
			errHas: "install: slot B is bad", keepsFile: true},
		{name: "wrong key", bundle: forged, state: protocol.OTAFailed, errHas: "no valid signature by a trusted release key",
			states: []string{"downloading", "verifying", "failed"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var inst Installer
			if tc.inst != nil {
				inst = tc.inst
			}
			r := newRig(t, "1.0.0", inst, map[string][]byte{"/b": tc.bundle.Data})
			r.u.Announce(tc.bundle.Announcement(r.srv.URL + "/b"))
			st := r.await(t)
			if st.State != tc.state || !strings.Contains(st.Error, tc.errHas) {
				t.Fatalf("status %+v, want state %s, error with %q", st, tc.state, tc.errHas)
			}
			if tc.states != nil && strings.Join(r.states(), ",") != strings.Join(tc.states, ",") {
				t.Errorf("states %v, want %v", r.states(), tc.states)
			}
			path := filepath.Join(r.dir, "acme-1.1.0.p2pota")
			if _, err := os.Stat(path); (err == nil) != tc.keepsFile {
				t.Errorf("bundle file kept: %v, want %v", err == nil, tc.keepsFile)
			}
			if tc.state == protocol.OTADownloaded && !strings.Contains(st.Note, NotInstalledNote) {
				t.Errorf("note %q, want %q", st.Note, NotInstalledNote)
			}
			if st.State != protocol.OTAFailed && (st.Bytes != int64(len(tc.bundle.Data)) || st.Percent != 100) {
				t.Errorf("progress %d bytes %d%%, want %d, 100%%", st.Bytes, st.Percent, len(tc.bundle.Data))
			}
			if tc.inst != nil && (len(tc.inst.paths) != 1 || tc.inst.paths[0] != path) {
				t.Errorf("installer got %v, want [%s]", tc.inst.paths, path)
			}
		})
	}
}

func TestAnnounceIgnored(t *testing.T) {
	b := otatest.Make(t, releaseKey, "acme", "1.1.0", "1.0.5", "arm64", []byte("x"))
	cases := []struct {
		name, current, product string
	}{
		{"already running it", "1.1.0", "acme"},
		{"running newer", "2.0.0", "acme"},
		{"below the floor", "1.0.0", "acme"},
		{"other product", "1.0.6", "other"},
		{"version not stamped", "dev", "acme"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, tc.current, nil, map[string][]byte{"/b": b.Data})
			a := b.Announcement(r.srv.URL + "/b")
			a.Product = tc.product
			r.u.Announce(a)
			if st := r.u.Status(); st.State != protocol.OTAIdle {
				t.Fatalf("status %+v, want idle", st)
			}
			if _, err := r.u.Start(a); !errors.Is(err, ErrNotWanted) {
				t.Errorf("Start: %v, want ErrNotWanted", err)
			}
		})
	}
}

func TestStart(t *testing.T) {
	b := otatest.Make(t, releaseKey, "acme", "1.1.0", "1.0.0", "arm64", bytes.Repeat([]byte("y"), 1<<20))
	r := newRig(t, "1.0.0", nil, map[string][]byte{"/b": b.Data})
	if _, err := r.u.Start(nil); !errors.Is(err, ErrNoRelease) {
		t.Fatalf("Start with nothing announced: %v, want ErrNoRelease", err)
	}
	// A bare URL: its version is learnt from the manifest.
	if _, err := r.u.Start(&ota.Announcement{URL: r.srv.URL + "/b"}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.u.Start(&ota.Announcement{URL: r.srv.URL + "/b"}); !errors.Is(err, ErrBusy) && r.u.Status().State != protocol.OTADownloaded {
		t.Errorf("second Start while busy: %v, want ErrBusy", err)
	}
	st := r.await(t)
	if st.State != protocol.OTADownloaded || st.Version != "1.1.0" {
		t.Fatalf("status %+v", st)
	}
	// The announcement of what an update already ended with is ignored;
	// ota_update (Start) takes it again.
	a := b.Announcement(r.srv.URL + "/b")
	if _, err := r.u.Start(a); err != nil {
		t.Fatal(err)
	}
	r.await(t)
	n := len(r.states())
	r.u.Announce(a)
	if r.u.Status().State != protocol.OTADownloaded || len(r.states()) != n {
		t.Errorf("re-announcement of a finished bundle started an update: %v", r.states())
	}
	// A 404 fails with the server's answer.
	if _, err := r.u.Start(&ota.Announcement{URL: r.srv.URL + "/missing"}); err != nil {
		t.Fatal(err)
	}
	if st := r.await(t); st.State != protocol.OTAFailed || !strings.Contains(st.Error, "404") {
		t.Errorf("status %+v, want failed with 404", st)
	}
}

// A download that gave up on a failing server is tried again when the
// release is announced again (on the broker's next delivery); one that
// failed verification is not.
func TestAnnounceRetriesAfterGivingUp(t *testing.T) {
	b := otatest.Make(t, releaseKey, "acme", "1.1.0", "1.0.0", "arm64", []byte("x"))
	r := newRig(t, "1.0.0", nil, map[string][]byte{"/b": b.Data})
	down := b.Announcement(r.srv.URL + "/down") // 404 is final: use a closed port for a network failure
	ln := httptest.NewServer(http.NotFoundHandler())
	down.URL = ln.URL + "/b"
	ln.Close()
	r.u.Announce(down)
	if st := r.await(t); st.State != protocol.OTAFailed || !strings.Contains(st.Error, "gave up") {
		t.Fatalf("status %+v, want failed: gave up", st)
	}
	n := len(r.states())
	r.u.Announce(down)
	deadline := time.Now().Add(20 * time.Second)
	for len(r.states()) == n {
		if time.Now().After(deadline) {
			t.Fatal("the announcement of a download that gave up was not tried again")
		}
		time.Sleep(10 * time.Millisecond) // polling a condition, bounded by the deadline
	}
}

// A bundle downloaded before a restart is verified again, not fetched
// again.
func TestAlreadyDownloaded(t *testing.T) {
	b := otatest.Make(t, releaseKey, "acme", "1.1.0", "1.0.0", "arm64", []byte("x"))
	var requests atomic.Int32
	r := newRig(t, "1.0.0", nil, map[string][]byte{"/b": b.Data})
	counting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		requests.Add(1)
		r.srv.Config.Handler.ServeHTTP(w, req)
	}))
	defer counting.Close()
	if err := os.WriteFile(filepath.Join(r.dir, "acme-1.1.0.p2pota"), b.Data, 0o600); err != nil {
		t.Fatal(err)
	}
	r.u.Announce(b.Announcement(counting.URL + "/b"))
	if st := r.await(t); st.State != protocol.OTADownloaded {
		t.Fatalf("status %+v", st)
	}
	if n := requests.Load(); n != 0 {
		t.Errorf("%d requests, want none", n)
	}
}

// Report takes the statuses the camera learns across a restart; a
// rolled back version's announcements are ignored after it.
func TestReport(t *testing.T) {
	b := otatest.Make(t, releaseKey, "acme", "1.1.0", "1.0.0", "arm64", []byte("x"))
	cases := []struct {
		name    string
		report  protocol.OTAStatus
		ignores bool // the announcement of 1.1.0
	}{
		{"trial", protocol.OTAStatus{State: protocol.OTATrial, Version: "1.0.0"}, false},
		{"confirmed", protocol.OTAStatus{State: protocol.OTAConfirmed, Version: "1.0.0"}, false},
		{"rolled back", protocol.OTAStatus{State: protocol.OTARolledBack, Version: "1.1.0", Error: "not confirmed after 3 starts"}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, "1.0.0", nil, map[string][]byte{"/b": b.Data})
			if err := r.u.Report(tc.report); err != nil {
				t.Fatal(err)
			}
			want := tc.report
			want.Running = "1.0.0"
			if st := r.u.Status(); st != want {
				t.Fatalf("status %+v, want %+v", st, want)
			}
			if got := r.states(); len(got) != 1 || got[0] != tc.report.State {
				t.Errorf("OnStatus heard %v, want [%s]", got, tc.report.State)
			}
			r.u.Announce(b.Announcement(r.srv.URL + "/b"))
			if tc.ignores {
				if st := r.u.Status(); st != want {
					t.Errorf("after the announcement: %+v, want it ignored", st)
				}
				return
			}
			deadline := time.After(20 * time.Second)
			for st := r.u.Status(); st.State != protocol.OTADownloaded; st = r.u.Status() {
				select {
				case <-r.changed:
				case <-deadline:
					t.Fatalf("after the announcement: %+v, want downloaded", st)
				}
			}
		})
	}
}

// The initial status comes from Config; Report waits for no update but
// refuses while one runs.
func TestReportInitialAndBusy(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		select {
		case <-release:
		case <-req.Context().Done():
		}
		http.NotFound(w, req)
	}))
	defer srv.Close()
	defer close(release)
	u := New(Config{Dir: t.TempDir(), Trusted: []ed25519.PublicKey{releaseKey.Public().(ed25519.PublicKey)},
		Current: "1.1.0", Product: "acme", Arch: "arm64",
		Initial: protocol.OTAStatus{State: protocol.OTATrial, Version: "1.1.0"},
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil))})
	if st := u.Status(); st.State != protocol.OTATrial || st.Running != "1.1.0" {
		t.Fatalf("initial status %+v, want trial, running 1.1.0", st)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { u.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	if _, err := u.Start(&ota.Announcement{URL: srv.URL + "/b"}); err != nil {
		t.Fatal(err)
	}
	if err := u.Report(protocol.OTAStatus{State: protocol.OTAConfirmed}); !errors.Is(err, ErrBusy) {
		t.Errorf("Report while an update runs: %v, want ErrBusy", err)
	}
	if st := u.Status(); st.State != protocol.OTADownloading {
		t.Errorf("status %+v, want downloading", st)
	}
}

// An update removes the other staged bundles, and nothing else.
func TestCleanStaging(t *testing.T) {
	b := otatest.Make(t, releaseKey, "acme", "1.1.0", "1.0.0", "arm64", []byte("x"))
	r := newRig(t, "1.0.0", nil, map[string][]byte{"/b": b.Data})
	for _, name := range []string{"acme-1.0.5.p2pota", "acme-1.0.6.p2pota.part", "release.pub"} {
		if err := os.WriteFile(filepath.Join(r.dir, name), []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	r.u.Announce(b.Announcement(r.srv.URL + "/b"))
	if st := r.await(t); st.State != protocol.OTADownloaded {
		t.Fatalf("status %+v", st)
	}
	for name, kept := range map[string]bool{"acme-1.0.5.p2pota": false, "acme-1.0.6.p2pota.part": false, "release.pub": true, "acme-1.1.0.p2pota": true} {
		if _, err := os.Stat(filepath.Join(r.dir, name)); (err == nil) != kept {
			t.Errorf("%s kept: %v, want %v", name, err == nil, kept)
		}
	}
}

// An announcement taken is "downloading" at once, before Run picks it
// up: whoever asks right after the camera logged it must not read the
// last update's outcome (ota status would take it for this one's end).
func TestAnnounceShowsTheUpdateAtOnce(t *testing.T) {
	b := otatest.Make(t, releaseKey, "acme", "1.2.0", "1.0.0", "arm64", []byte("x"))
	u := New(Config{Dir: t.TempDir(), Trusted: []ed25519.PublicKey{releaseKey.Public().(ed25519.PublicKey)},
		Current: "1.1.0", Product: "acme", Arch: "arm64",
		Initial: protocol.OTAStatus{State: protocol.OTAConfirmed, Version: "1.1.0"},
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil))})
	u.Announce(b.Announcement("http://127.0.0.1:9/b")) // no Run: nothing picks it up
	if st := u.Status(); st.State != protocol.OTADownloading || st.Version != "1.2.0" || st.Running != "1.1.0" {
		t.Errorf("status right after the announcement: %+v, want downloading 1.2.0, running 1.1.0", st)
	}
}
