package update

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/p2pcam/p2pcam/ota"
	"github.com/p2pcam/p2pcam/ota/fetch"
	"github.com/p2pcam/p2pcam/protocol"
)

// DefaultDir is where bundles are staged on a camera.
const DefaultDir = "/var/lib/p2pcam/ota"

// NotInstalledNote is the status note of a verified bundle that nothing
// installs.
const NotInstalledNote = "installation is not configured: the verified bundle is kept"

// Config configures an Updater. Trusted must be set for any update to
// pass; the zero value of the rest works.
type Config struct {
	// Dir is the staging directory. It defaults to DefaultDir.
	Dir string
	// Trusted are the release public keys (ota.Config.Trusted).
	Trusted []ed25519.PublicKey
	// Current is the running version, MAJOR.MINOR.PATCH. Anything else
	// ("dev") makes every update fail with a message saying so.
	Current string
	// Product, Board and Arch are this camera's (ota.Config).
	Product, Board, Arch string
	// Fetch tunes downloads (rate cap, retries); each update sets its
	// size, hash and progress.
	Fetch fetch.Config
	// Installer installs a verified bundle. Nil: an update ends in state
	// downloaded, with NotInstalledNote.
	Installer Installer
	// Initial is the status to start with, carried across a restart:
	// an installed update on trial, or how the last one ended
	// (confirmed, rolled_back). The zero value starts idle. Its Running
	// defaults to Current.
	Initial protocol.OTAStatus
	// OnStatus, if set, hears of every change of state and each percent
	// of progress, on the updater's goroutine: it must not block long.
	OnStatus func(protocol.OTAStatus)
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

// Updater runs updates one at a time. Its methods may be called from any
// goroutine; the updates themselves run in Run.
type Updater struct {
	cfg  Config
	log  *slog.Logger
	jobs chan *ota.Announcement // to Run; at most one waiting

	mu         sync.Mutex // guards the fields below
	status     protocol.OTAStatus
	busy       bool              // a job is queued or running
	announced  *ota.Announcement // the latest announcement for this product
	finished   string            // SHA-256 of the last announced bundle an update ended with
	rolledBack string            // a version rolled back here: its announcements are ignored
}

// New returns an updater; Run runs it.
func New(cfg Config) *Updater {
	if cfg.Dir == "" {
		cfg.Dir = DefaultDir
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Fetch.MaxSize <= 0 {
		cfg.Fetch.MaxSize = ota.MaxBundleSize
	}
	if cfg.Fetch.Logger == nil {
		cfg.Fetch.Logger = cfg.Logger
	}
	u := &Updater{
		cfg:    cfg,
		log:    cfg.Logger.With("component", "ota"),
		jobs:   make(chan *ota.Announcement, 1),
		status: protocol.OTAStatus{State: protocol.OTAIdle, Running: cfg.Current},
	}
	if cfg.Initial.State != "" {
		u.reportLocked(cfg.Initial)
	}
	return u
}

// Report sets the status from outside an update: the trial of an
// installed update and its outcome, which the camera learns across a
// restart (docs/ota.md). A rolled_back version's announcements are
// ignored from then on. It returns ErrBusy, and changes nothing, while
// an update runs.
func (u *Updater) Report(st protocol.OTAStatus) error {
	u.mu.Lock()
	if u.busy {
		u.mu.Unlock()
		return ErrBusy
	}
	st = u.reportLocked(st)
	u.mu.Unlock()
	if u.cfg.OnStatus != nil {
		u.cfg.OnStatus(st)
	}
	return nil
}

func (u *Updater) reportLocked(st protocol.OTAStatus) protocol.OTAStatus {
	if st.Running == "" {
		st.Running = u.cfg.Current
	}
	if st.State == protocol.OTARolledBack {
		u.rolledBack = st.Version
	}
	u.status = st
	return st
}

// Status returns the current status.
func (u *Updater) Status() protocol.OTAStatus {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.status
}

// Announce takes a release announcement (the product's retained release
// topic). One for another product, or that this camera should not take
// (not newer, or above its floor), or that an update already ended with,
// is ignored with a log line; otherwise it starts an update now, or when
// the running one ends. It never blocks.
func (u *Updater) Announce(a *ota.Announcement) {
	if err := u.wanted(a); err != nil {
		u.log.Info("ignored release announcement", "version", a.Version, "url", a.URL, "reason", err)
		return
	}
	u.mu.Lock()
	u.announced = a
	if a.Version != "" && a.Version == u.rolledBack {
		u.mu.Unlock()
		u.log.Info("ignored release announcement: this version was rolled back here (its trial failed)", "version", a.Version)
		return
	}
	if a.SHA256 == u.finished {
		u.mu.Unlock()
		u.log.Info("ignored release announcement: an update already ended with this bundle (ota_update tries it again)", "version", a.Version, "state", u.Status().State)
		return
	}
	start := !u.busy
	u.busy = true
	if start {
		// As Start does: whoever asks from now on sees the update under
		// way, not the outcome of the last one.
		u.setLocked(downloading(u.cfg.Current, a))
	}
	u.mu.Unlock()
	if start {
		u.log.Info("release announced: updating", "version", a.Version, "url", a.URL, "size", a.Size)
		u.jobs <- a
	} else {
		u.log.Info("release announced while an update runs: it follows", "version", a.Version)
	}
}

// Start starts an update on an operator's command: from a, or (nil) the
// latest announcement. It returns ErrBusy while an update runs,
// ErrNoRelease, or ErrNotWanted with the reason.
func (u *Updater) Start(a *ota.Announcement) (protocol.OTAStatus, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.busy {
		return u.status, ErrBusy
	}
	if a == nil {
		if a = u.announced; a == nil {
			return u.status, ErrNoRelease
		}
	}
	if a.Version != "" { // a bare URL is checked once its manifest is read
		if err := u.wanted(a); err != nil {
			return u.status, err
		}
	}
	u.busy = true
	u.setLocked(downloading(u.cfg.Current, a))
	u.jobs <- a
	return u.status, nil
}

// downloading is the status of an update of running to a as it starts.
func downloading(running string, a *ota.Announcement) protocol.OTAStatus {
	return protocol.OTAStatus{State: protocol.OTADownloading, Running: running, Version: a.Version, URL: a.URL, Total: a.Size}
}

// wanted reports why a camera should not take a, or nil.
func (u *Updater) wanted(a *ota.Announcement) error {
	if a.Product != u.cfg.Product {
		return fmt.Errorf("%w: release is for product %q, this is %q", ErrNotWanted, a.Product, u.cfg.Product)
	}
	cur, err := ota.ParseVersion(u.cfg.Current)
	if err != nil {
		return fmt.Errorf("%w: this build's version %q is not MAJOR.MINOR.PATCH (build releases with VERSION=X.Y.Z scripts/cross-build.sh)", ErrNotWanted, u.cfg.Current)
	}
	if err := a.Wanted(cur); err != nil {
		return fmt.Errorf("%w: %w", ErrNotWanted, err)
	}
	return nil
}

// Run runs updates until ctx is done.
func (u *Updater) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case a := <-u.jobs:
			st, final, retry := u.update(ctx, a)
			u.mu.Lock()
			if final {
				// The final status and the end of busy change together, so
				// that whoever sees it final may start the next update.
				u.status = st
				if a.SHA256 != "" && !retry {
					u.finished = a.SHA256
				}
			}
			next := u.announced
			if next != nil && (next == a || next.SHA256 == u.finished || next.Version == u.rolledBack || u.wanted(next) != nil) {
				next = nil
			}
			if next == nil {
				u.busy = false
			}
			u.mu.Unlock()
			if final && u.cfg.OnStatus != nil {
				u.cfg.OnStatus(st)
			}
			if next != nil {
				u.jobs <- next
			}
		}
	}
}

// update fetches, verifies and installs one release, and returns its
// final status; final is false when ctx ended it (the camera stopping),
// retry true when the download gave up on a server or network that may
// come back (the announcement, delivered again, tries again).
func (u *Updater) update(ctx context.Context, a *ota.Announcement) (st protocol.OTAStatus, final, retry bool) {
	st = downloading(u.cfg.Current, a)
	u.set(st)
	fail := func(err error) (protocol.OTAStatus, bool, bool) {
		st.State, st.Error = protocol.OTAFailed, err.Error()
		u.log.Warn("update failed", "version", st.Version, "url", a.URL, "err", err)
		return st, true, errors.Is(err, fetch.ErrGaveUp)
	}
	if _, err := ota.ParseVersion(u.cfg.Current); err != nil {
		return fail(fmt.Errorf("this build's version %q is not MAJOR.MINOR.PATCH: build releases with VERSION=X.Y.Z scripts/cross-build.sh", u.cfg.Current))
	}
	if err := os.MkdirAll(u.cfg.Dir, 0o700); err != nil {
		return fail(fmt.Errorf("staging directory: %w", err))
	}
	path := filepath.Join(u.cfg.Dir, bundleName(a))
	u.clean(path)
	fc := u.cfg.Fetch
	fc.Size, fc.SHA256 = a.Size, a.SHA256
	fc.Progress = func(p fetch.Progress) {
		pct := st.Percent
		if p.Total > 0 {
			pct = int(p.Bytes * 100 / p.Total)
			st.Total = p.Total
		}
		changed := pct != st.Percent
		st.Bytes, st.Percent = p.Bytes, pct
		if changed {
			u.set(st)
		} else {
			u.setQuiet(st)
		}
	}
	var res fetch.Result
	if have(path, a) {
		// Downloaded before a restart: verified again, not fetched again.
		res.Size = a.Size
		u.log.Info("bundle already downloaded", "path", path)
	} else {
		var err error
		res, err = fetch.Get(ctx, a.URL, path, fc)
		if err != nil {
			if ctx.Err() != nil {
				u.log.Info("update stopped; the download resumes when the release is next announced", "version", a.Version)
				return st, false, true
			}
			return fail(fmt.Errorf("download: %w", err))
		}
		u.log.Info("bundle downloaded", "path", path, "bytes", res.Size, "attempts", res.Attempts, "resumed", res.Resumed, "restarted", res.Restarted)
	}
	st.State, st.Bytes, st.Total, st.Percent = protocol.OTAVerifying, res.Size, res.Size, 100
	u.set(st)
	m, err := u.verify(path)
	if err != nil {
		_ = os.Remove(path) // its bytes are wrong: never keep them
		return fail(fmt.Errorf("verify: %w", err))
	}
	st.Version = m.Version
	if u.cfg.Installer == nil {
		st.State, st.Note = protocol.OTADownloaded, NotInstalledNote+" at "+path
		u.log.Info("update downloaded and verified; "+NotInstalledNote, "version", m.Version, "path", path)
		return st, true, false
	}
	st.State = protocol.OTAInstalling
	u.set(st)
	if err := u.cfg.Installer.Install(ctx, path); err != nil {
		return fail(fmt.Errorf("install: %w", err))
	}
	st.State = protocol.OTAInstalled
	u.log.Info("update installed", "version", m.Version)
	return st, true, false
}

// verify checks the bundle at path as this camera would install it.
func (u *Updater) verify(path string) (*ota.Manifest, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ota.Verify(bufio.NewReaderSize(f, 32<<10), ota.Config{
		Trusted: u.cfg.Trusted, Arch: u.cfg.Arch, Current: u.cfg.Current,
		Product: u.cfg.Product, Board: u.cfg.Board,
	})
}

// clean removes staged bundles other than keep (and their partial
// downloads): a camera has room for one bundle. Files not named like
// a bundle are left alone.
func (u *Updater) clean(keep string) {
	ents, err := os.ReadDir(u.cfg.Dir)
	if err != nil {
		return
	}
	base := filepath.Base(keep)
	for _, e := range ents {
		if !e.Type().IsRegular() || strings.HasPrefix(e.Name(), base) || !strings.Contains(e.Name(), ".p2pota") {
			continue
		}
		if err := os.Remove(filepath.Join(u.cfg.Dir, e.Name())); err == nil {
			u.log.Info("removed an old staged file", "file", e.Name())
		}
	}
}

// have reports whether the file at path is already the bundle a
// announces (its size and SHA-256).
func have(path string, a *ota.Announcement) bool {
	if a.SHA256 == "" {
		return false
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || fi.Size() != a.Size {
		return false
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return false
	}
	return hex.EncodeToString(h.Sum(nil)) == a.SHA256
}

// bundleName is the staged file's name: PRODUCT-VERSION.p2pota for an
// announced release (both validated to safe characters), bundle.p2pota
// for a bare URL.
func bundleName(a *ota.Announcement) string {
	if a.Version == "" || a.Product == "" {
		return "bundle.p2pota"
	}
	return a.Product + "-" + a.Version + ".p2pota"
}

func (u *Updater) set(st protocol.OTAStatus) {
	u.setQuiet(st)
	if u.cfg.OnStatus != nil {
		u.cfg.OnStatus(st)
	}
}

func (u *Updater) setQuiet(st protocol.OTAStatus) {
	u.mu.Lock()
	u.setLocked(st)
	u.mu.Unlock()
}

func (u *Updater) setLocked(st protocol.OTAStatus) { u.status = st }
