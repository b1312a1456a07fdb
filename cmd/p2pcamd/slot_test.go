package main

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/internal/syncbuf"
	"github.com/p2pcam/p2pcam/ota"
	"github.com/p2pcam/p2pcam/ota/slot"
)

// Versioned builds of p2pcamd, made once per stamp.
var (
	stampedMu sync.Mutex
	stamped   = map[string]string{}
)

// stampedBinary builds p2pcamd stamped with version v.
func stampedBinary(t *testing.T, v string) string {
	t.Helper()
	stampedMu.Lock()
	defer stampedMu.Unlock()
	if bin, ok := stamped[v]; ok {
		return bin
	}
	dir, err := os.MkdirTemp("", "p2pcamd-"+v)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "p2pcamd")
	out, err := exec.Command("go", "build", "-ldflags", "-X main.version="+v, "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	stamped[v] = bin
	return bin
}

// termWait sends p SIGTERM and waits up to within for done; then it kills
// p and fails the test, naming what.
func termWait(t testing.TB, p *os.Process, done <-chan error, within time.Duration, what string) {
	t.Helper()
	_ = p.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(within):
		_ = p.Kill()
		t.Errorf("%s did not exit within %v of SIGTERM", what, within)
	}
}

// updateBuilds returns p2pcamd stamped 1.0.0 (the factory binary) and
// 1.1.0 (a release), and a release key.
func updateBuilds(t *testing.T) (factory, next string, key ed25519.PrivateKey) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds p2pcamd twice: skipped in -short mode")
	}
	return stampedBinary(t, "1.0.0"), stampedBinary(t, "1.1.0"), ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, ed25519.SeedSize))
}

// signedBundle packs bin as p2pcamd for this machine's architecture,
// version v, signed by key, and returns the bundle's path.
func signedBundle(t *testing.T, key ed25519.PrivateKey, v, bin string) string {
	t.Helper()
	var unsigned, signed bytes.Buffer
	err := ota.Pack(&unsigned, ota.Release{Product: "p2pcam", Version: v, MinVersion: "1.0.0",
		Parts: []ota.PartFile{{Name: ota.PartAgent, Arch: slot.HostArch(), Path: bin}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ota.Sign(&signed, &unsigned, key); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), v+".p2pota")
	if err := os.WriteFile(path, signed.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// launched is one run of the launcher, p2pcamd slot exec, and what it
// started.
type launched struct {
	cmd     *exec.Cmd
	logs    *syncbuf.Buffer
	changed chan struct{} // poked on each log line
	done    chan error    // the exit, once
	exited  bool
}

// launch runs factory's launcher on the slots in dir with the config at
// cfgPath, in LAN mode on a free loopback port.
func launch(t *testing.T, factory, dir, cfgPath string) *launched {
	t.Helper()
	cmd := exec.Command(factory, "slot", "exec", "--dir", dir, "--",
		"--config", cfgPath, "--lan", "127.0.0.1:0", "--board", "sim")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	l := &launched{cmd: cmd, logs: &syncbuf.Buffer{}, changed: make(chan struct{}, 1), done: make(chan error, 1)}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			fmt.Fprintln(l.logs, sc.Text())
			select {
			case l.changed <- struct{}{}:
			default:
			}
		}
		l.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		if !l.exited {
			termWait(t, cmd.Process, l.done, 15*time.Second, "p2pcamd")
		}
		if t.Failed() {
			t.Logf("launcher and p2pcamd log:\n%s", l.logs)
		}
	})
	return l
}

// await waits up to timeout for a log line containing s.
func (l *launched) await(t *testing.T, s string, timeout time.Duration) {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for !strings.Contains(l.logs.String(), s) {
		select {
		case <-l.changed:
		case err := <-l.done:
			l.exited = true
			if !strings.Contains(l.logs.String(), s) {
				t.Fatalf("exited (%v) without logging %q", err, s)
			}
			return
		case <-deadline.C:
			t.Fatalf("no %q in the log within %v", s, timeout)
		}
	}
}

// exit waits up to timeout for the process to end and returns its error.
func (l *launched) exit(t *testing.T, timeout time.Duration) error {
	t.Helper()
	select {
	case err := <-l.done:
		l.exited = true
		return err
	case <-time.After(timeout):
		t.Fatalf("still running after %v", timeout)
		return nil
	}
}

func slotState(t *testing.T, factory, dir string) slot.State {
	t.Helper()
	out, err := exec.Command(factory, "slot", "status", "--json", "--dir", dir).Output()
	if err != nil {
		t.Fatalf("slot status: %v", err)
	}
	var st slot.State
	if err := json.Unmarshal(out, &st); err != nil {
		t.Fatalf("slot status --json: %v\n%s", err, out)
	}
	return st
}

// TestSlotUpdate drives the A/B update through the real binaries: the
// factory p2pcamd 1.0.0 installs 1.1.0 with ota-install, its launcher
// starts 1.1.0 on trial and 1.1.0 confirms itself once its streams make
// frames; then a release that crashes at start is rolled back by the
// launcher after three starts, and one whose stream never makes a frame
// rolls itself back when its trial times out.
func TestSlotUpdate(t *testing.T) {
	factory, next, key := updateBuilds(t)
	pub := auth.MarshalPublicKey(key.Public().(ed25519.PublicKey))
	dir := filepath.Join(t.TempDir(), "slots")
	cfgPath := filepath.Join(t.TempDir(), "p2pcamd.toml")
	if err := os.WriteFile(cfgPath, []byte("[slots]\ntrial_timeout = \"60s\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	install := func(t *testing.T, bundle string) string {
		t.Helper()
		out, err := exec.Command(factory, "ota-install", "--dir", dir, "--pub", pub, "--product", "p2pcam", bundle).CombinedOutput()
		if err != nil {
			t.Fatalf("ota-install: %v\n%s", err, out)
		}
		return string(out)
	}

	// Before any install the launcher runs the factory binary itself.
	l := launch(t, factory, dir, cfgPath)
	l.await(t, `msg=p2pcamd version=1.0.0`, 30*time.Second)
	l.await(t, `msg="LAN mode listening"`, 30*time.Second)
	_ = l.cmd.Process.Signal(syscall.SIGTERM)
	if err := l.exit(t, 15*time.Second); err != nil {
		t.Fatalf("factory p2pcamd: %v", err)
	}

	t.Run("update confirmed", func(t *testing.T) {
		if out := install(t, signedBundle(t, key, "1.1.0", next)); !strings.Contains(out, "installed 1.1.0 into slot a, on trial") {
			t.Fatalf("ota-install said %q", out)
		}
		start := time.Now()
		l := launch(t, factory, dir, cfgPath)
		l.await(t, `msg="starting an update on trial" launcher="p2pcamd slot exec" slot=a version=1.1.0 start=1`, 30*time.Second)
		l.await(t, `msg=p2pcamd version=1.1.0`, 30*time.Second)
		l.await(t, `msg="update confirmed"`, 90*time.Second)
		t.Logf("start to confirmed: %v", time.Since(start).Round(time.Millisecond))
		st := slotState(t, factory, dir)
		if st.Current != slot.A || st.Trial != nil || st.Last == nil || st.Last.Outcome != slot.OutcomeConfirmed || st.Floor != "1.0.0" {
			t.Fatalf("state after confirming: %+v last %+v", st, st.Last)
		}
		// The same release again is refused: not newer.
		out, err := exec.Command(factory, "ota-install", "--dir", dir, "--pub", pub, signedBundle(t, key, "1.1.0", next)).CombinedOutput()
		if err == nil || !strings.Contains(string(out), "not newer") {
			t.Errorf("reinstalling 1.1.0: %v %s", err, out)
		}
	})

	t.Run("crash at start rolled back", func(t *testing.T) {
		crash := filepath.Join(t.TempDir(), "crash")
		if err := os.WriteFile(crash, []byte("#!/bin/sh\necho 'release 1.2.0: crashing' >&2\nexit 3\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		install(t, signedBundle(t, key, "1.2.0", crash))
		// The supervisor's loop: start again each time it exits.
		for i := 1; i <= slot.DefaultMaxBoots; i++ {
			l := launch(t, factory, dir, cfgPath)
			if err := l.exit(t, 30*time.Second); err == nil {
				t.Fatalf("start %d: the crashing release exited 0", i)
			}
			if !strings.Contains(l.logs.String(), "release 1.2.0: crashing") {
				t.Fatalf("start %d did not run the release:\n%s", i, l.logs)
			}
		}
		start := time.Now()
		l := launch(t, factory, dir, cfgPath)
		l.await(t, `msg="update rolled back"`, 30*time.Second)
		l.await(t, `msg=p2pcamd version=1.1.0`, 30*time.Second)
		l.await(t, `msg="LAN mode listening"`, 30*time.Second)
		t.Logf("rollback start to serving: %v", time.Since(start).Round(time.Millisecond))
		st := slotState(t, factory, dir)
		if st.Current != slot.A || st.Last == nil || st.Last.Outcome != slot.OutcomeRolledBack || st.Last.Version != "1.2.0" ||
			!strings.Contains(st.Last.Reason, "not confirmed after 3 starts") {
			t.Fatalf("state after the rollback: %+v last %+v", st, st.Last)
		}
		text, err := exec.Command(factory, "slot", "status", "--dir", dir).Output()
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"current: slot a (1.1.0)", "floor:   1.0.0", "last:    1.2.0 rolled back: not confirmed after 3 starts", "failed:  1.2.0 (not installed again)"} {
			if !strings.Contains(string(text), want) {
				t.Errorf("slot status lacks %q:\n%s", want, text)
			}
		}
		out, err := exec.Command(factory, "ota-install", "--dir", dir, "--pub", pub, signedBundle(t, key, "1.2.0", crash)).CombinedOutput()
		if err == nil || !strings.Contains(string(out), "failed its trial on this camera before") {
			t.Errorf("reinstalling the failed 1.2.0: %v %s", err, out)
		}
	})

	t.Run("no frames rolled back", func(t *testing.T) {
		// The release runs the real p2pcamd with a camera that never
		// makes a frame, and a short trial.
		tmp := t.TempDir()
		noFrames := filepath.Join(tmp, "noframes.toml")
		cfg := "[streams]\nhigh = \"exec:sleep 600\"\nstandard = \"\"\nsuper = \"\"\n[slots]\ntrial_timeout = \"5s\"\n"
		if err := os.WriteFile(noFrames, []byte(cfg), 0o644); err != nil {
			t.Fatal(err)
		}
		script := filepath.Join(tmp, "noframes")
		body := fmt.Sprintf("#!/bin/sh\nexec %s --config %s --lan 127.0.0.1:0 --board sim\n", next, noFrames)
		if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
		install(t, signedBundle(t, key, "1.3.0", script))
		start := time.Now()
		l := launch(t, factory, dir, cfgPath)
		l.await(t, `msg="update failed its trial: rolled back"`, 60*time.Second)
		if err := l.exit(t, 30*time.Second); err == nil {
			t.Fatal("a release that failed its trial exited 0")
		}
		t.Logf("start to rolled back: %v", time.Since(start).Round(time.Millisecond))
		st := slotState(t, factory, dir)
		if st.Current != slot.A || st.Last == nil || st.Last.Version != "1.3.0" || !strings.Contains(st.Last.Reason, "stream high made no video frame") {
			t.Fatalf("state after the rollback: %+v last %+v", st, st.Last)
		}
		l = launch(t, factory, dir, cfgPath)
		l.await(t, `msg=p2pcamd version=1.1.0`, 30*time.Second)
		l.await(t, `msg="LAN mode listening"`, 30*time.Second)
	})
}
