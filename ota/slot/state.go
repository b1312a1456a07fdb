package slot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"

	"github.com/p2pcam/p2pcam/ota"
)

// Limits on state.json, which the launcher reads at every start.
const (
	// stateFormat is the state format this build reads and writes. The
	// launcher is the factory binary, which reads the state the newest
	// release wrote: a later format must stay readable by it, so fields
	// are only ever added.
	stateFormat = 1
	// maxStateSize bounds state.json: a real one is under 1 KiB.
	maxStateSize = 16 << 10
	// maxFailed bounds the versions remembered as failed.
	maxFailed = 8
	// stateFile is the state's name under Config.Dir.
	stateFile = "state.json"
	// binName is the binary's name in a slot's directory.
	binName = "p2pcamd"
)

// Slot names.
const (
	A = "a"
	B = "b"
)

// State is state.json.
type State struct {
	// Format is stateFormat.
	Format int `json:"format"`
	// Current is the slot the launcher starts: A, B, or "" for the
	// factory binary.
	Current string `json:"current"`
	// Slots describes what each slot holds.
	Slots map[string]SlotInfo `json:"slots,omitempty"`
	// Trial, when set, is the current slot's trial.
	Trial *Trial `json:"trial,omitempty"`
	// Floor is the anti-rollback floor: the highest min_version of a
	// confirmed release ("" for none).
	Floor string `json:"floor,omitempty"`
	// Failed are versions that failed their trial here, newest last.
	Failed []string `json:"failed,omitempty"`
	// Last is the outcome of the latest trial.
	Last *Result `json:"last,omitempty"`
}

// SlotInfo is what a slot holds.
type SlotInfo struct {
	Version    string `json:"version"`
	MinVersion string `json:"min_version,omitempty"`
	SHA256     string `json:"sha256"`
}

// Trial is a slot on trial.
type Trial struct {
	// Slot is the slot on trial (State.Current).
	Slot string `json:"slot"`
	// Version is its version.
	Version string `json:"version"`
	// Previous is the slot to roll back to ("" for the factory binary).
	Previous string `json:"previous"`
	// Boots counts the starts of the slot on trial so far.
	Boots int `json:"boots"`
}

// Result is how a trial ended.
type Result struct {
	// Version is the version tried.
	Version string `json:"version"`
	// Outcome is OutcomeConfirmed or OutcomeRolledBack.
	Outcome string `json:"outcome"`
	// Reason says why a trial was rolled back.
	Reason string `json:"reason,omitempty"`
	// Running is the version running after it.
	Running string `json:"running,omitempty"`
}

// Trial outcomes.
const (
	OutcomeConfirmed  = "confirmed"
	OutcomeRolledBack = "rolled back"
)

// ParseState parses state.json strictly. Errors wrap ErrBadState.
func ParseState(b []byte) (*State, error) {
	if len(b) > maxStateSize {
		return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrBadState, len(b), maxStateSize)
	}
	var s State
	d := json.NewDecoder(bytes.NewReader(b))
	if err := d.Decode(&s); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadState, err)
	}
	if d.More() {
		return nil, fmt.Errorf("%w: data after the object", ErrBadState)
	}
	if err := s.check(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadState, err)
	}
	return &s, nil
}

func (s *State) check() error {
	if s.Format != stateFormat {
		return fmt.Errorf("format %d, want %d", s.Format, stateFormat)
	}
	if s.Current != "" && !validSlot(s.Current) {
		return fmt.Errorf("current slot %q", s.Current)
	}
	for name, info := range s.Slots {
		if !validSlot(name) {
			return fmt.Errorf("slot %q", name)
		}
		if _, err := ota.ParseVersion(info.Version); err != nil {
			return fmt.Errorf("slot %s: %v", name, err)
		}
	}
	if s.Current != "" {
		if _, ok := s.Slots[s.Current]; !ok {
			return fmt.Errorf("current slot %s holds nothing", s.Current)
		}
	}
	if t := s.Trial; t != nil {
		if t.Slot != s.Current || (t.Previous != "" && (!validSlot(t.Previous) || t.Previous == t.Slot)) || t.Boots < 0 {
			return fmt.Errorf("trial %+v of current slot %q", *t, s.Current)
		}
		if _, ok := s.Slots[t.Previous]; t.Previous != "" && !ok {
			return fmt.Errorf("trial rolls back to slot %s, which holds nothing", t.Previous)
		}
	}
	if s.Floor != "" {
		if _, err := ota.ParseVersion(s.Floor); err != nil {
			return fmt.Errorf("floor: %v", err)
		}
	}
	if len(s.Failed) > maxFailed {
		return fmt.Errorf("%d failed versions, at most %d", len(s.Failed), maxFailed)
	}
	return nil
}

// Marshal encodes s as state.json.
func (s *State) Marshal() ([]byte, error) {
	return json.MarshalIndent(s, "", "  ")
}

// Running is the version the current slot holds, or "" for the factory
// binary.
func (s *State) Running() string {
	if s.Current == "" {
		return ""
	}
	return s.Slots[s.Current].Version
}

// clone copies s deeply enough to change it.
func (s *State) clone() *State {
	c := *s
	c.Slots = map[string]SlotInfo{}
	for k, v := range s.Slots {
		c.Slots[k] = v
	}
	if s.Trial != nil {
		t := *s.Trial
		c.Trial = &t
	}
	c.Failed = append([]string(nil), s.Failed...)
	return &c
}

func validSlot(s string) bool { return s == A || s == B }

// other is the slot that is not s (A for the factory binary).
func other(s string) string {
	if s == A {
		return B
	}
	return A
}

// binPath is slot's binary under dir.
func binPath(dir, slot string) string { return filepath.Join(dir, slot, binName) }
