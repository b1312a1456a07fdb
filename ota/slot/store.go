package slot

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"slices"

	"github.com/p2pcam/p2pcam/ota"
)

// DefaultDir is where the slots live on a camera.
const DefaultDir = "/var/lib/p2pcam/slots"

// DefaultMaxBoots is how many starts a release on trial gets.
const DefaultMaxBoots = 3

// Config configures a Store. The zero value works on a camera.
type Config struct {
	// Dir holds the slots and state.json. It defaults to DefaultDir.
	Dir string
	// FS defaults to the real file system (OSFS).
	FS FS
	// MaxBoots is how many times the launcher starts a release on trial
	// before it rolls back: a crash loop, watchdog resets, or a health
	// check that never passes. It defaults to DefaultMaxBoots.
	MaxBoots int
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

// Store is the slots and their state. Its methods are not safe for
// concurrent use, nor for use by two processes at once: the launcher
// runs before the daemon it starts, and the daemon installs and confirms
// from one goroutine.
type Store struct {
	cfg Config
}

// New returns the store cfg describes. It touches no file.
func New(cfg Config) *Store {
	if cfg.Dir == "" {
		cfg.Dir = DefaultDir
	}
	if cfg.FS == nil {
		cfg.FS = OSFS{}
	}
	if cfg.MaxBoots <= 0 {
		cfg.MaxBoots = DefaultMaxBoots
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Store{cfg: cfg}
}

// Dir is the store's directory.
func (s *Store) Dir() string { return s.cfg.Dir }

// State reads state.json. No file is the empty state (the factory
// binary); a corrupt one is an error wrapping ErrBadState.
func (s *Store) State() (*State, error) {
	b, err := s.cfg.FS.ReadFile(filepath.Join(s.cfg.Dir, stateFile))
	if errors.Is(err, fs.ErrNotExist) {
		return &State{Format: stateFormat}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("slot: %w", err)
	}
	return ParseState(b)
}

// Bin is the binary of slot ("" for the factory binary: "").
func (s *Store) Bin(slot string) string {
	if slot == "" {
		return ""
	}
	return binPath(s.cfg.Dir, slot)
}

// Boot is the launcher's step before each start of p2pcamd: it counts a
// start of a release on trial, or rolls back to the previous slot once
// MaxBoots starts went by without a confirmation, and returns the slot to
// start and its binary ("", "" for the factory binary). It never fails:
// when the state cannot be read or written, it logs why and returns the
// factory binary, which is always there.
func (s *Store) Boot() (slot, bin string) {
	st, err := s.State()
	if err != nil {
		s.cfg.Logger.Error("slot state unreadable: starting the factory binary", "dir", s.cfg.Dir, "err", err)
		return "", ""
	}
	if t := st.Trial; t != nil {
		next := st.clone()
		if t.Boots >= s.cfg.MaxBoots {
			reason := fmt.Sprintf("not confirmed after %d starts (a crash, a watchdog reset or no health in time)", t.Boots)
			next = rolledBack(st, reason)
			s.cfg.Logger.Error("update rolled back", "version", t.Version, "reason", reason, "running", next.Running())
		} else {
			next.Trial.Boots++
		}
		if err := s.write(next); err != nil {
			// Counting failed: without a count a crash loop would never
			// end, so run the previous slot now; the trial is tried
			// again once the state can be written.
			s.cfg.Logger.Error("cannot count a start on trial: starting the previous slot", "err", err)
			return s.checked(t.Previous)
		}
		if next.Trial != nil {
			s.cfg.Logger.Info("starting an update on trial", "slot", t.Slot, "version", t.Version,
				"start", next.Trial.Boots, "of", s.cfg.MaxBoots)
		}
		st = next
	}
	return s.checked(st.Current)
}

// checked returns slot and its binary, or the factory binary if the
// slot's binary is missing.
func (s *Store) checked(slot string) (string, string) {
	if slot == "" {
		return "", ""
	}
	bin := s.Bin(slot)
	if !s.cfg.FS.Exists(bin) {
		s.cfg.Logger.Error("slot binary missing: starting the factory binary", "bin", bin)
		return "", ""
	}
	return slot, bin
}

// rolledBack is st after its trial failed for reason.
func rolledBack(st *State, reason string) *State {
	t := st.Trial
	next := st.clone()
	next.Current = t.Previous
	next.Trial = nil
	next.Failed = append(next.Failed, t.Version)
	if len(next.Failed) > maxFailed {
		next.Failed = next.Failed[len(next.Failed)-maxFailed:]
	}
	next.Last = &Result{Version: t.Version, Outcome: OutcomeRolledBack, Reason: reason, Running: next.Running()}
	return next
}

// OnTrial returns the trial of slot, or nil when slot is not on trial.
func (s *Store) OnTrial(slot string) (*Trial, error) {
	st, err := s.State()
	if err != nil {
		return nil, err
	}
	if st.Trial == nil || st.Trial.Slot != slot || slot == "" {
		return nil, nil
	}
	t := *st.Trial
	return &t, nil
}

// Confirm ends the trial of slot: it stays current, and its min_version
// becomes the anti-rollback floor if higher.
func (s *Store) Confirm(slot string) error {
	st, err := s.State()
	if err != nil {
		return err
	}
	if st.Trial == nil || st.Trial.Slot != slot {
		return fmt.Errorf("%w: slot %q", ErrNoTrial, slot)
	}
	next := st.clone()
	next.Trial = nil
	next.Last = &Result{Version: st.Trial.Version, Outcome: OutcomeConfirmed, Running: st.Trial.Version}
	if min := st.Slots[slot].MinVersion; min != "" && versionAbove(min, st.Floor) {
		next.Floor = min
	}
	next.Failed = slices.DeleteFunc(next.Failed, func(v string) bool { return v == st.Trial.Version })
	return s.write(next)
}

// Fail rolls the trial of slot back to the previous slot now, recording
// reason; the launcher starts the previous slot next.
func (s *Store) Fail(slot, reason string) error {
	st, err := s.State()
	if err != nil {
		return err
	}
	if st.Trial == nil || st.Trial.Slot != slot {
		return fmt.Errorf("%w: slot %q", ErrNoTrial, slot)
	}
	return s.write(rolledBack(st, reason))
}

// write replaces state.json with st: a temporary file written and
// fsync'ed, renamed over state.json, and the directory fsync'ed. A
// failure or power cut at any step leaves the old state or the new one.
func (s *Store) write(st *State) error {
	b, err := st.Marshal()
	if err != nil {
		return err
	}
	return s.replace(filepath.Join(s.cfg.Dir, stateFile), 0o644, func(f File) error {
		_, err := f.Write(b)
		return err
	})
}

// replace writes name through name.tmp: fill writes it, then it is
// fsync'ed, closed, renamed over name, and the directory fsync'ed.
func (s *Store) replace(name string, perm fs.FileMode, fill func(File) error) (err error) {
	fsys := s.cfg.FS
	dir := filepath.Dir(name)
	if err := fsys.MkdirAll(dir); err != nil {
		return fmt.Errorf("slot: %w", err)
	}
	tmp := name + ".tmp"
	f, err := fsys.Create(tmp, perm)
	if err != nil {
		return fmt.Errorf("slot: %w", err)
	}
	defer func() {
		if err != nil {
			_ = fsys.Remove(tmp)
		}
	}()
	if err := fill(f); err != nil {
		f.Close()
		return fmt.Errorf("slot: writing %s: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("slot: fsync %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("slot: %w", err)
	}
	if err := fsys.Rename(tmp, name); err != nil {
		return fmt.Errorf("slot: %w", err)
	}
	if err := fsys.SyncDir(dir); err != nil {
		return fmt.Errorf("slot: fsync %s: %w", dir, err)
	}
	return nil
}

// versionAbove reports whether a is above b ("" is below everything).
func versionAbove(a, b string) bool {
	if b == "" {
		return true
	}
	va, err1 := ota.ParseVersion(a)
	vb, err2 := ota.ParseVersion(b)
	return err1 == nil && err2 == nil && va.Compare(vb) > 0
}
