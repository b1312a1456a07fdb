package main

import (
	"crypto/ed25519"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/ota/slot"
)

// supervisor is rootfs/etc/init.d/S60p2pcamd's supervise loop, running.
type supervisor struct {
	cmd  *exec.Cmd
	log  string // its log file
	done chan error
}

// startSupervisor runs the init script's supervise loop with the settings
// file defaults, logging to a file.
func startSupervisor(t *testing.T, defaults string) *supervisor {
	t.Helper()
	s := &supervisor{log: filepath.Join(t.TempDir(), "p2pcamd.log"), done: make(chan error, 1)}
	s.cmd = exec.Command("sh", "../../rootfs/etc/init.d/S60p2pcamd", "supervise", s.log)
	s.cmd.Env = append(os.Environ(), "P2PCAMD_DEFAULTS="+defaults)
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.done <- s.cmd.Wait() }()
	t.Cleanup(func() {
		s.stop(t)
		if t.Failed() {
			b, _ := os.ReadFile(s.log)
			t.Logf("supervisor log:\n%s", b)
		}
	})
	return s
}

// await waits up to timeout for the log to contain every string of want,
// in order; it polls the file, which nothing else signals.
func (s *supervisor) await(t *testing.T, timeout time.Duration, want ...string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		b, _ := os.ReadFile(s.log)
		rest, ok := string(b), true
		for _, w := range want {
			i := strings.Index(rest, w)
			if i < 0 {
				ok = false
				break
			}
			rest = rest[i+len(w):]
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("log lacks %q (in order) after %v", want, timeout)
		}
		time.Sleep(100 * time.Millisecond) // a file has no change event to wait on
	}
}

func (s *supervisor) stop(t *testing.T) {
	if s.cmd.ProcessState != nil {
		return
	}
	termWait(t, s.cmd.Process, s.done, 20*time.Second, "the supervisor")
}

// TestInitScriptTrial runs the BusyBox init script's supervise loop (under
// the host's sh) over the A/B launcher: an installed release is started on
// trial and confirms itself; a release that crashes at start is restarted
// by the loop until the launcher rolls it back to the confirmed one.
func TestInitScriptTrial(t *testing.T) {
	factory, next, key := updateBuilds(t)
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "slots")
	pubFile := filepath.Join(tmp, "release.pub")
	if err := os.WriteFile(pubFile, []byte(auth.MarshalPublicKey(key.Public().(ed25519.PublicKey))+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	defaults := filepath.Join(tmp, "p2pcamd.defaults")
	settings := fmt.Sprintf("DAEMON=%s\nP2PCAMD_SLOTS=%s\nP2PCAMD_CONFIG=/nonexistent\nP2PCAMD_ARGS=\"--board sim --lan 127.0.0.1:0\"\n", factory, dir)
	if err := os.WriteFile(defaults, []byte(settings), 0o644); err != nil {
		t.Fatal(err)
	}
	install := func(v, bin string) {
		t.Helper()
		out, err := exec.Command(factory, "ota-install", "--dir", dir, "--pub", pubFile, signedBundle(t, key, v, bin)).CombinedOutput()
		if err != nil {
			t.Fatalf("ota-install %s: %v\n%s", v, err, out)
		}
	}

	install("1.1.0", next)
	s := startSupervisor(t, defaults)
	s.await(t, 90*time.Second, "starting an update on trial", "msg=p2pcamd version=1.1.0", `msg="update confirmed"`)
	s.stop(t)

	crash := filepath.Join(tmp, "crash")
	if err := os.WriteFile(crash, []byte("#!/bin/sh\necho 'release 1.2.0: crashing'\nexit 3\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	install("1.2.0", crash)
	start := time.Now()
	s = startSupervisor(t, defaults)
	// The loop waits 2 s, 4 s, then 8 s between the failed starts.
	s.await(t, 90*time.Second, "release 1.2.0: crashing", "restarting in", "release 1.2.0: crashing",
		"release 1.2.0: crashing", `msg="update rolled back"`, "msg=p2pcamd version=1.1.0", `msg="LAN mode listening"`)
	t.Logf("crashing release installed to serving 1.1.0 again: %v", time.Since(start).Round(100*time.Millisecond))
	st, err := slot.New(slot.Config{Dir: dir}).State()
	if err != nil {
		t.Fatal(err)
	}
	if st.Current != slot.A || st.Last == nil || st.Last.Version != "1.2.0" || st.Last.Outcome != slot.OutcomeRolledBack {
		t.Fatalf("state: %+v last %+v", st, st.Last)
	}
}
