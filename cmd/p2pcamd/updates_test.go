package main

import (
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/p2pcam/p2pcam/ota/slot"
	"github.com/p2pcam/p2pcam/protocol"
)

// The status at start comes from the slots' state: the trial, or how
// the last trial that brought this slot here ended.
func TestInitialOTA(t *testing.T) {
	cases := []struct {
		name, state, slot string
		trial             *trial
		want              protocol.OTAStatus
	}{
		{name: "trial", slot: "a", trial: &trial{slot: "a", Trial: &slot.Trial{Slot: "a", Version: "1.1.0", Boots: 1}},
			want: protocol.OTAStatus{State: protocol.OTATrial, Version: "1.1.0"}},
		{name: "no state", slot: "", want: protocol.OTAStatus{}},
		{name: "confirmed", slot: "a",
			state: `{"format":1,"current":"a","slots":{"a":{"version":"1.1.0","sha256":"abababababababababababababababababababababababababababababababab"}},"last":{"version":"1.1.0","outcome":"confirmed","running":"1.1.0"}}`,
			want:  protocol.OTAStatus{State: protocol.OTAConfirmed, Version: "1.1.0"}},
		{name: "rolled back to the factory binary", slot: "",
			state: `{"format":1,"current":"","slots":{"a":{"version":"1.2.0","sha256":"abababababababababababababababababababababababababababababababab"}},"failed":["1.2.0"],"last":{"version":"1.2.0","outcome":"rolled back","reason":"not confirmed after 3 starts"}}`,
			want:  protocol.OTAStatus{State: protocol.OTARolledBack, Version: "1.2.0", Error: "not confirmed after 3 starts"}},
		{name: "another slot's outcome", slot: "b",
			state: `{"format":1,"current":"a","slots":{"a":{"version":"1.1.0","sha256":"abababababababababababababababababababababababababababababababab"}},"last":{"version":"1.1.0","outcome":"confirmed","running":"1.1.0"}}`,
			want:  protocol.OTAStatus{}},
		{name: "unreadable", slot: "a", state: `{`, want: protocol.OTAStatus{}},
	}
	stamp := version
	version = "1.1.0" // as cross-build.sh stamps a release
	t.Cleanup(func() { version = stamp })
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.state != "" {
				if err := os.WriteFile(filepath.Join(dir, "state.json"), []byte(tc.state), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			t.Setenv(envSlot, tc.slot)
			log := slog.New(slog.DiscardHandler)
			got := initialOTA(slot.New(slot.Config{Dir: dir, Logger: log}), tc.trial, log)
			got.Note = "" // the trial's note names its start
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}
