package slot

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"time"

	"github.com/p2pcam/p2pcam/ota"
)

// InstallerConfig configures an Installer.
type InstallerConfig struct {
	// Store is where releases go. It defaults to New(Config{}).
	Store *Store
	// Trusted are the release public keys. Required.
	Trusted []ed25519.PublicKey
	// Version is this binary's version, MAJOR.MINOR.PATCH. A bundle must
	// be newer than the running version: the current slot's, or this
	// one when no slot is current (the factory binary). A "dev" build
	// with no slot current cannot be updated.
	Version string
	// Arch is this camera's architecture as bundles name it. It defaults
	// to HostArch().
	Arch string
	// Product and Board, if set, must match the bundle's.
	Product, Board string
	// Restart, if set, is called after a release is installed, to start
	// it on trial: p2pcamd ends so that its launcher starts the new slot.
	Restart func(version string)
	// Logger defaults to the store's.
	Logger *slog.Logger
}

// Installer installs bundles into the inactive slot.
type Installer struct {
	cfg InstallerConfig
}

// NewInstaller checks cfg and returns an installer.
func NewInstaller(cfg InstallerConfig) (*Installer, error) {
	if cfg.Store == nil {
		cfg.Store = New(Config{})
	}
	if cfg.Arch == "" {
		cfg.Arch = HostArch()
	}
	if cfg.Logger == nil {
		cfg.Logger = cfg.Store.cfg.Logger
	}
	if len(cfg.Trusted) == 0 {
		return nil, fmt.Errorf("slot: %w", ota.ErrNoTrustedKey)
	}
	return &Installer{cfg: cfg}, nil
}

// Install checks the bundle at bundlePath in full (signature, product,
// board, architecture, versions, every part's hash) before writing
// anything; then it writes this camera's p2pcamd to the inactive slot,
// fsync'ed, and switches to it on trial with one atomic rename of the
// state; then it calls Restart. A failure at any step leaves the running
// slot current.
func (in *Installer) Install(ctx context.Context, bundlePath string) error {
	started := time.Now()
	s := in.cfg.Store
	st, err := s.State()
	if errors.Is(err, ErrBadState) {
		in.cfg.Logger.Warn("slot state unreadable: installing over it", "err", err)
		st, err = &State{Format: stateFormat}, nil
	}
	if err != nil {
		return err
	}
	if st.Trial != nil {
		return fmt.Errorf("%w (%s in slot %s)", ErrTrialActive, st.Trial.Version, st.Trial.Slot)
	}
	current := in.cfg.Version
	if r := st.Running(); r != "" {
		current = r
	}
	if _, err := ota.ParseVersion(current); err != nil {
		return fmt.Errorf("slot: running version (build with VERSION=MAJOR.MINOR.PATCH scripts/cross-build.sh): %w", err)
	}
	f, err := os.Open(bundlePath)
	if err != nil {
		return fmt.Errorf("slot: %w", err)
	}
	defer f.Close()
	// First pass: check everything, write nothing.
	m, err := ota.Verify(ctxReader{ctx, f}, in.verifyConfig(current, nil))
	if err != nil {
		return err
	}
	if err := in.admit(st, m); err != nil {
		return err
	}
	// Second pass: the same checks again (the file could have changed),
	// streaming this camera's part into the inactive slot.
	target := other(st.Current)
	part := m.Find(ota.PartAgent, in.cfg.Arch)
	in.cfg.Logger.Info("update verified: writing it into the inactive slot", "version", m.Version, "slot", target, "bytes", part.Size)
	err = s.replace(s.Bin(target), 0o755, func(w File) error {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		sink := func(p ota.Part) (io.Writer, error) {
			if p.Name == ota.PartAgent && p.Arch == in.cfg.Arch {
				return w, nil
			}
			return nil, nil
		}
		m2, err := ota.Verify(ctxReader{ctx, f}, in.verifyConfig(current, sink))
		if err == nil && (m2.Version != m.Version || m2.Find(ota.PartAgent, in.cfg.Arch).SHA256 != part.SHA256) {
			err = fmt.Errorf("slot: %s changed while it was installed", bundlePath)
		}
		return err
	})
	if err != nil {
		return err
	}
	next := st.clone()
	next.Slots[target] = SlotInfo{Version: m.Version, MinVersion: m.MinVersion, SHA256: part.SHA256}
	next.Trial = &Trial{Slot: target, Version: m.Version, Previous: st.Current}
	next.Current = target
	if err := s.write(next); err != nil {
		return err
	}
	in.cfg.Logger.Info("update installed: starting it on trial", "version", m.Version, "slot", target,
		"previous", st.Running(), "took", time.Since(started).Round(time.Millisecond))
	if in.cfg.Restart != nil {
		in.cfg.Restart(m.Version)
	}
	return nil
}

// admit applies the store's own anti-rollback rules to a verified
// manifest.
func (in *Installer) admit(st *State, m *ota.Manifest) error {
	if st.Floor != "" && versionAbove(st.Floor, m.Version) {
		return fmt.Errorf("%w: bundle %s, floor %s", ErrBelowFloor, m.Version, st.Floor)
	}
	if slices.Contains(st.Failed, m.Version) {
		return fmt.Errorf("%w: %s", ErrFailedBefore, m.Version)
	}
	return nil
}

func (in *Installer) verifyConfig(current string, sink func(ota.Part) (io.Writer, error)) ota.Config {
	return ota.Config{
		Trusted: in.cfg.Trusted,
		Arch:    in.cfg.Arch,
		Current: current,
		Product: in.cfg.Product,
		Board:   in.cfg.Board,
		Sink:    sink,
	}
}

// ctxReader stops reading once ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
