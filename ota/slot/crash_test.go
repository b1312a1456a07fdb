package slot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
)

// TestCrashAtEveryCall fails each file system call of each state change in
// turn, and separately cuts the power after each, then boots again: the
// launcher must start a complete old or new binary whose state agrees,
// never neither.
func TestCrashAtEveryCall(t *testing.T) {
	old, next := binary("1.0.0"), binary("1.1.0")
	steps := []struct {
		name string
		// setup brings a fresh store to the state before the step.
		setup func(t *testing.T, fsys *crashFS) *Store
		step  func(t *testing.T, s *Store) error
	}{
		{"install", func(t *testing.T, fsys *crashFS) *Store { return confirmed(t, fsys, "1.0.0") },
			func(t *testing.T, s *Store) error {
				return installer(t, s, "1.0.0").Install(context.Background(), makeBundle(t, release{version: "1.1.0"}))
			}},
		{"first boot on trial", onTrial(0), func(t *testing.T, s *Store) error { s.Boot(); return nil }},
		{"rollback boot", onTrial(DefaultMaxBoots), func(t *testing.T, s *Store) error { s.Boot(); return nil }},
		{"confirm", onTrial(1), func(t *testing.T, s *Store) error { return s.Confirm(B) }},
		{"fail", onTrial(1), func(t *testing.T, s *Store) error { return s.Fail(B, "no frames") }},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			// A clean run counts the calls.
			fsys := newCrashFS()
			s := st.setup(t, fsys)
			fsys.calls, fsys.trace = 0, nil
			if err := st.step(t, s); err != nil {
				t.Fatal(err)
			}
			n := fsys.calls
			if n == 0 {
				t.Fatal("the step made no call")
			}
			trace := fsys.trace
			for k := 1; k <= n; k++ {
				for _, mode := range []string{"fail", "cut"} {
					fsys := newCrashFS()
					s := st.setup(t, fsys)
					fsys.calls, fsys.trace = 0, nil
					if mode == "fail" {
						fsys.failAt = k
					} else {
						fsys.cutAfter = k
					}
					err := st.step(t, s)
					if mode == "fail" && k <= len(trace) && err == nil && !bootStep(st.name) {
						t.Errorf("%s at call %d (%s): step returned nil", mode, k, trace[k-1])
					}
					if err != nil && !errors.Is(err, errInjected) && !errors.Is(err, errPowerCut) {
						t.Errorf("%s at call %d: unexpected error %v", mode, k, err)
					}
					fsys.crash()
					checkBootable(t, newStore(fsys), fsys, old, next, mode, k, trace[k-1])
				}
			}
			t.Logf("%d calls, each failed and each followed by a power cut: %q", n, trace)
		})
	}
}

func bootStep(name string) bool { return name == "first boot on trial" || name == "rollback boot" }

// onTrial sets up slot b with 1.1.0 on trial after boots starts, over
// slot a with 1.0.0 confirmed.
func onTrial(boots int) func(t *testing.T, fsys *crashFS) *Store {
	return func(t *testing.T, fsys *crashFS) *Store {
		s := confirmed(t, fsys, "1.0.0")
		if err := installer(t, s, "1.0.0").Install(context.Background(), makeBundle(t, release{version: "1.1.0"})); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < boots; i++ {
			s.Boot()
		}
		return s
	}
}

// checkBootable boots s and checks that it starts a complete old or new
// binary, consistent with the state.
func checkBootable(t *testing.T, s *Store, fsys *crashFS, old, next []byte, mode string, k int, call string) {
	t.Helper()
	at := func() string { return fmt.Sprintf("%s at call %d (%s)", mode, k, call) }
	st, err := s.State()
	if err != nil {
		t.Fatalf("%s: state unreadable after the crash: %v; files %s", at(), err, fsys.files())
	}
	slot, bin := s.Boot()
	if slot == "" {
		t.Fatalf("%s: boots the factory binary, neither old nor new (state %+v)", at(), st)
	}
	got, err := fsys.ReadFile(bin)
	if err != nil {
		t.Fatalf("%s: %v", at(), err)
	}
	after, _ := s.State()
	switch {
	case bytes.Equal(got, old):
		if slot != A || after.Trial != nil {
			t.Errorf("%s: old binary from slot %s, trial %+v", at(), slot, after.Trial)
		}
	case bytes.Equal(got, next):
		confirmedNew := after.Last != nil && after.Last.Outcome == OutcomeConfirmed && after.Last.Version == "1.1.0"
		if slot != B || (after.Trial == nil && !confirmedNew) {
			t.Errorf("%s: new binary from slot %s, neither on trial nor confirmed: %+v last %+v", at(), slot, after.Trial, after.Last)
		}
	default:
		t.Fatalf("%s: slot %s holds %d bytes, neither the old (%d) nor the new binary (%d)", at(), slot, len(got), len(old), len(next))
	}
	if info := after.Slots[slot]; info.SHA256 != sum(got) {
		t.Errorf("%s: state says slot %s has sha256 %s, it has %s", at(), slot, info.SHA256, sum(got))
	}
}
