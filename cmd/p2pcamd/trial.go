package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/p2pcam/p2pcam/agent"
	"github.com/p2pcam/p2pcam/ota/slot"
	"github.com/p2pcam/p2pcam/protocol"
)

// trial is an update this process runs on trial: the launcher started
// slot Slot of the store, and the store has it on trial.
type trial struct {
	store *slot.Store
	slot  string
	*slot.Trial
}

// findTrial returns the trial this process runs, from the launcher's
// environment, or nil: started by hand, from the factory binary, or a
// confirmed slot.
func findTrial(log *slog.Logger) *trial {
	name := os.Getenv(envSlot)
	if name == "" {
		return nil
	}
	dir := os.Getenv(envSlotDir)
	s := slot.New(slot.Config{Dir: dir, Logger: log})
	t, err := s.OnTrial(name)
	if err != nil {
		log.Error("slot state unreadable: not checking a trial", "dir", s.Dir(), "err", err)
		return nil
	}
	if t == nil {
		return nil
	}
	return &trial{store: s, slot: name, Trial: t}
}

// run checks a on trial for up to a.TrialTimeout() from started: it confirms the
// update when every check passes, or rolls it back and calls fail with
// why, to end p2pcamd so that its launcher starts the previous slot.
func (t *trial) run(ctx context.Context, a *agent.Agent, started time.Time, log *slog.Logger, fail func(error)) {
	timeout := a.TrialTimeout()
	log = log.With("version", t.Version, "slot", t.slot)
	log.Info("update on trial: checking its health", "start", t.Boots, "timeout", timeout)
	tctx, cancel := context.WithDeadline(ctx, started.Add(timeout))
	defer cancel()
	err := a.CheckTrial(tctx)
	if ctx.Err() != nil {
		return // stopped: the next start counts against the trial
	}
	if err == nil {
		if err := t.store.Confirm(t.slot); err != nil {
			log.Error("update healthy, but the confirmation was not saved: the next start tries again", "err", err)
			return
		}
		log.Info("update confirmed", "after", time.Since(started).Round(time.Millisecond))
		if err := a.ReportOTA(protocol.OTAStatus{State: protocol.OTAConfirmed, Version: t.Version}); err != nil {
			log.Info("update status not set to confirmed", "err", err)
		}
		return
	}
	reason := fmt.Sprintf("health check failed within %v: %v", timeout, err)
	if ferr := t.store.Fail(t.slot, reason); ferr != nil {
		log.Error("update failed its trial; the rollback was not saved: the launcher rolls back after its starts run out", "err", ferr)
	} else {
		log.Error("update failed its trial: rolled back", "reason", reason, "after", time.Since(started).Round(time.Millisecond))
	}
	fail(fmt.Errorf("update %s failed its trial (%s): exiting so that the launcher starts the previous version", t.Version, reason))
}
