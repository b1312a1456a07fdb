package main

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"

	"github.com/p2pcam/p2pcam/agent"
	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/ota/slot"
	"github.com/p2pcam/p2pcam/protocol"
	"github.com/p2pcam/p2pcam/signal"
)

// wireUpdates joins OTA delivery to the A/B slots (docs/ota.md) when the
// launcher started p2pcamd and [ota] trusted_keys is set: the agent gets
// a slot installer, whose restart ends p2pcamd (through restart, after
// the installed status is published) so that the launcher starts the
// new slot on trial; and the status starts from the slots' state: trial
// t (nil: none), or how the last trial ended. Without the launcher a
// delivered update stays downloaded.
func wireUpdates(cfg *agent.Config, board string, t *trial, log *slog.Logger, restart func(error)) error {
	dir := os.Getenv(envSlotDir)
	if dir == "" || len(cfg.OTA.TrustedKeys) == 0 {
		return nil
	}
	var trusted []ed25519.PublicKey
	for i, k := range cfg.OTA.TrustedKeys {
		pub, err := auth.ParsePublicKey(k)
		if err != nil {
			return fmt.Errorf("ota.trusted_keys[%d]: %w", i, err)
		}
		trusted = append(trusted, pub)
	}
	id, err := signal.ParseDeviceID(cfg.Device)
	if err != nil {
		return fmt.Errorf("device: %w", err)
	}
	arch := cfg.OTA.Arch
	if arch == "" {
		arch = slot.HostArch()
	}
	store := slot.New(slot.Config{Dir: dir, Logger: log})
	var pending atomic.Pointer[string] // the version installed, to restart into
	in, err := slot.NewInstaller(slot.InstallerConfig{
		Store: store, Trusted: trusted, Version: version,
		Arch: arch, Product: id.Product, Board: board,
		Restart: func(v string) { pending.Store(&v) },
		Logger:  log,
	})
	if err != nil {
		return err
	}
	cfg.Installer = in
	cfg.OnOTA = func(st protocol.OTAStatus) {
		if v := pending.Load(); v != nil && st.State == protocol.OTAInstalled {
			restart(fmt.Errorf("%w: %s: p2pcamd exits so that its launcher starts it on trial", errUpdateInstalled, *v))
		}
	}
	cfg.OTAInitial = initialOTA(store, t, log)
	return nil
}

// errUpdateInstalled ends p2pcamd after an update is installed; main
// exits with exitRestart.
var errUpdateInstalled = errors.New("update installed")

// initialOTA is the update status at start: the trial t runs, or the
// outcome of the last trial if it brought this slot here.
func initialOTA(store *slot.Store, t *trial, log *slog.Logger) protocol.OTAStatus {
	if t != nil {
		return protocol.OTAStatus{State: protocol.OTATrial, Version: t.Version,
			Note: fmt.Sprintf("start %d on trial: confirmed once its health checks pass, else rolled back", t.Boots)}
	}
	st, err := store.State()
	if err != nil {
		log.Warn("slot state unreadable: the last update's outcome is not reported", "err", err)
		return protocol.OTAStatus{}
	}
	l := st.Last
	if l == nil || st.Trial != nil || st.Current != os.Getenv(envSlot) {
		return protocol.OTAStatus{}
	}
	switch {
	case l.Outcome == slot.OutcomeConfirmed && l.Version == version:
		return protocol.OTAStatus{State: protocol.OTAConfirmed, Version: l.Version}
	case l.Outcome == slot.OutcomeRolledBack && l.Running == st.Running():
		return protocol.OTAStatus{State: protocol.OTARolledBack, Version: l.Version, Error: l.Reason}
	}
	return protocol.OTAStatus{}
}
