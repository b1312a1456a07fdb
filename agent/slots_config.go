package agent

import (
	"fmt"
	"time"
)

// SlotsConfig configures the trial of an update installed into an A/B
// slot (package ota/slot, docs/ota.md). Where the slots live and how
// many starts a trial gets are the launcher's (p2pcamd slot exec) flags.
type SlotsConfig struct {
	// TrialTimeout is how long a release on trial has, from its start,
	// to pass its health checks (Agent.CheckTrial) before it rolls itself
	// back. It defaults to 3m.
	TrialTimeout time.Duration `toml:"trial_timeout"`
}

// defaultTrialTimeout leaves a slow board time to bring up its camera
// and reach the broker, and is still short against a camera left down.
const defaultTrialTimeout = 3 * time.Minute

func (c SlotsConfig) withDefaults() SlotsConfig {
	if c.TrialTimeout == 0 {
		c.TrialTimeout = defaultTrialTimeout
	}
	return c
}

func (c SlotsConfig) validate() []error {
	if c.TrialTimeout < 5*time.Second || c.TrialTimeout > time.Hour {
		return []error{fmt.Errorf("slots.trial_timeout = %v: want 5s to 1h", c.TrialTimeout)}
	}
	return nil
}
