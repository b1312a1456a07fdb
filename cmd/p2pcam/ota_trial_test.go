package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/internal/brokertest"
	"github.com/p2pcam/p2pcam/internal/syncbuf"
	"github.com/p2pcam/p2pcam/ota/otatest"
	"github.com/p2pcam/p2pcam/ota/slot"
	"github.com/p2pcam/p2pcam/protocol"
)

// maxSupervisorStarts bounds the test supervisor's restarts of the
// launcher: the update, three crashing starts, the rollback, and spare.
const maxSupervisorStarts = 12

// TestOTAUpdateTrial joins delivery to the A/B install: p2pcam cloud
// --ota-dir serves a real p2pcamd 1.1.0; a p2pcamd 1.0.0 started through
// its launcher (p2pcamd slot exec, under a supervisor loop like the init
// script's) learns of it, downloads, verifies and installs it, exits,
// and comes back as 1.1.0 on trial, which confirms itself. p2pcam ota
// status follows that through the restart. Then a 1.2.0 that crashes at
// start is delivered the same way, rolled back by the launcher, and
// reported rolled_back by 1.1.0, started again; ota status exits with an
// error naming the rollback. Through the dev cloud's broker, and a real
// mosquitto.
func TestOTAUpdateTrial(t *testing.T) {
	if testing.Short() {
		t.Skip("builds p2pcamd twice: skipped in -short mode")
	}
	factory := buildStampedCamera(t, "1.0.0")
	next := buildStampedCamera(t, "1.1.0")
	nextBin, err := os.ReadFile(next)
	if err != nil {
		t.Fatal(err)
	}
	key := otatest.Key(7)
	good := otatest.Make(t, key, "acme", "1.1.0", "1.0.0", slot.HostArch(), nextBin)
	// The crashing release is padded to take a second to download, so
	// that ota status is following before the restarts begin.
	crashing := otatest.Make(t, key, "acme", "1.2.0", "1.0.0", slot.HostArch(),
		append([]byte("#!/bin/sh\necho 'release 1.2.0: crashing' >&2\nexit 3\n#"), bytes.Repeat([]byte("x"), 8<<20)...))

	for _, b := range otaBrokers() {
		t.Run(b.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Second)
			defer cancel()
			r, user, pass, vouches := newOTARig(ctx, t, b, "acme-1.1.0.p2pota", good.Data)
			info := recordInfo(ctx, t, r)
			r.announce(t, "acme-1.1.0.p2pota")
			superviseCamera(ctx, t, r, factory, filepath.Join(r.dir, "slots"), user, pass, vouches)

			// 1.0.0 hears of 1.1.0 and downloads it; follow it to the end.
			r.await(ctx, t, "a download under way", func(st protocol.OTAStatus) bool { return st.State != protocol.OTAIdle })
			follow := func(t *testing.T) ([]string, string, error) {
				var out bytes.Buffer
				err := run(ctx, []string{"ota", "status", "--lan", "http://" + r.lan, "--token", r.token(t, auth.PermUpdate), "--json", "--timeout", "150s"}, &out, io.Discard)
				var states []string
				for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
					if st, derr := protocol.DecodeOTAStatus([]byte(line)); derr == nil && (len(states) == 0 || states[len(states)-1] != st.State) {
						states = append(states, st.State)
					}
				}
				return states, out.String(), err
			}
			states, out, err := follow(t)
			if err != nil {
				t.Fatalf("ota status: %v\n%s\ncamera log:\n%s", err, out, r.camLog)
			}
			// ota status polls every 500 ms: it may miss installed and a
			// short trial, but it follows the restart from the download to
			// confirmed (the device info, below, carries every state).
			if !inOrder(states, protocol.OTADownloading, protocol.OTAConfirmed) || states[len(states)-1] != protocol.OTAConfirmed {
				t.Errorf("ota status followed %v, want downloading ... confirmed", states)
			}
			t.Logf("ota status followed: %v", states)
			st := r.status(ctx, t)
			if st.State != protocol.OTAConfirmed || st.Running != "1.1.0" || st.Version != "1.1.0" {
				t.Fatalf("status after the update: %+v", st)
			}
			if seen := info(); !inOrder(seen, protocol.OTADownloading, protocol.OTAVerifying, protocol.OTAInstalling, protocol.OTAInstalled,
				protocol.OTATrial, protocol.OTAConfirmed) {
				t.Errorf("device info's ota went %v, want downloading verifying installing installed trial confirmed", seen)
			}

			// 1.2.0 crashes at start: the launcher rolls it back after its
			// starts run out, and 1.1.0 reports it.
			writeBundle(t, r.otaDir, "acme-1.2.0.p2pota", crashing.Data)
			r.announce(t, "acme-1.2.0.p2pota")
			if _, ok := r.camLog.WaitFor(60*time.Second, `msg="release announced: updating"`, "version=1.2.0"); !ok {
				t.Fatal("1.1.0 did not hear of 1.2.0")
			}
			for {
				// Should the camera be restarting already, ask again.
				states, out, err = follow(t)
				if len(states) > 0 || err == nil || !strings.Contains(err.Error(), "connection refused") || ctx.Err() != nil {
					break
				}
			}
			if err == nil || !strings.Contains(err.Error(), "update 1.2.0 rolled back") || !strings.Contains(err.Error(), "not confirmed after 3 starts") {
				t.Errorf("ota status of the crashing release: %v, want the rollback\n%s", err, out)
			}
			if len(states) == 0 || states[len(states)-1] != protocol.OTARolledBack {
				t.Errorf("ota status followed %v, want it to end rolled_back", states)
			}
			t.Logf("ota status followed: %v (%v)", states, err)
			st = r.status(ctx, t)
			if st.State != protocol.OTARolledBack || st.Running != "1.1.0" || st.Version != "1.2.0" {
				t.Fatalf("status after the rollback: %+v", st)
			}
			// 1.1.0 publishes it once it has registered with the broker.
			deadline := time.Now().Add(30 * time.Second)
			for seen := info(); seen[len(seen)-1] != protocol.OTARolledBack; seen = info() {
				if time.Now().After(deadline) {
					t.Fatalf("device info's ota went %v, want it to end rolled_back", seen)
				}
				time.Sleep(100 * time.Millisecond) // polling a condition, bounded by the deadline
			}
			if n := strings.Count(r.camLog.String(), "release 1.2.0: crashing"); n != slot.DefaultMaxBoots {
				t.Errorf("1.2.0 started %d times, want %d", n, slot.DefaultMaxBoots)
			}
		})
	}
}

// inOrder reports whether want appear in seen in that order.
func inOrder(seen []string, want ...string) bool {
	i := 0
	for _, s := range seen {
		if i < len(want) && s == want[i] {
			i++
		}
	}
	return i == len(want)
}

// superviseCamera runs factory's launcher on the slots under a loop
// that starts it again whenever it exits (the init script's), bounded
// by maxSupervisorStarts, on a fixed LAN port that outlives restarts.
func superviseCamera(ctx context.Context, t *testing.T, r *otaRig, factory, slots, user, pass string, vouches bool) {
	t.Helper()
	r.lan = fmt.Sprintf("127.0.0.1:%d", brokertest.FreeTCPPort(t))
	cfg := writeOTACameraConfig(t, r, user, pass, vouches, "max_rate = 8388608\n[slots]\ntrial_timeout = \"60s\"\n")
	r.camLog = &syncbuf.Buffer{}
	sctx, stop := context.WithCancel(ctx)
	var cur struct {
		sync.Mutex
		cmd *exec.Cmd
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < maxSupervisorStarts && sctx.Err() == nil; i++ {
			cmd := exec.Command(factory, "slot", "exec", "--dir", slots, "--", "--config", cfg, "--board", "sim", "--lan", r.lan)
			cmd.Stderr = r.camLog
			cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
			cur.Lock()
			if sctx.Err() != nil {
				cur.Unlock()
				return
			}
			err := cmd.Start()
			cur.cmd = cmd
			cur.Unlock()
			if err != nil {
				fmt.Fprintf(r.camLog, "supervisor: %v\n", err)
				return
			}
			err = cmd.Wait()
			fmt.Fprintf(r.camLog, "supervisor: p2pcamd exited: %v\n", err)
		}
	}()
	t.Cleanup(func() {
		stop()
		cur.Lock()
		if cur.cmd != nil && cur.cmd.Process != nil {
			_ = cur.cmd.Process.Signal(syscall.SIGTERM)
		}
		cur.Unlock()
		<-done
		if t.Failed() {
			t.Logf("p2pcamd log:\n%s", r.camLog)
		}
	})
	if _, ok := r.camLog.WaitFor(30*time.Second, "LAN mode listening"); !ok {
		t.Fatalf("p2pcamd did not listen within 30 s:\n%s", r.camLog)
	}
}

// recordInfo subscribes to the camera's retained info as the viewer and
// returns the OTA states it has carried so far, repeats folded.
func recordInfo(ctx context.Context, t *testing.T, r *otaRig) func() []string {
	t.Helper()
	var mu sync.Mutex
	var seen []string
	subscribeInfo(ctx, t, r, func(st *protocol.OTAStatus) {
		mu.Lock()
		if len(seen) == 0 || seen[len(seen)-1] != st.State {
			seen = append(seen, st.State)
		}
		mu.Unlock()
	})
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(seen)
	}
}
