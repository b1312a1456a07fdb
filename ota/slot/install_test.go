package slot

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/p2pcam/p2pcam/ota"
)

// confirmed returns a store on fsys whose slot a holds version, confirmed.
func confirmed(t *testing.T, fsys FS, version string) *Store {
	t.Helper()
	s := newStore(fsys)
	if err := installer(t, s, "0.9.0").Install(context.Background(), makeBundle(t, release{version: version})); err != nil {
		t.Fatal(err)
	}
	if slot, _ := s.Boot(); slot != A {
		t.Fatalf("first boot after install: slot %q, want a", slot)
	}
	if err := s.Confirm(A); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestInstallConfirm(t *testing.T) {
	fsys := newCrashFS()
	s := newStore(fsys)
	if slot, bin := s.Boot(); slot != "" || bin != "" {
		t.Fatalf("no state: Boot = %q %q, want the factory binary", slot, bin)
	}
	restarted := ""
	in, err := NewInstaller(InstallerConfig{Store: s, Trusted: []ed25519.PublicKey{releasePub},
		Version: "1.0.0", Arch: testArch, Restart: func(v string) { restarted = v }})
	if err != nil {
		t.Fatal(err)
	}
	if err := in.Install(context.Background(), makeBundle(t, release{version: "1.1.0", min: "1.0.0"})); err != nil {
		t.Fatal(err)
	}
	if restarted != "1.1.0" {
		t.Errorf("Restart called with %q, want 1.1.0", restarted)
	}
	st, err := s.State()
	if err != nil {
		t.Fatal(err)
	}
	if st.Current != A || st.Trial == nil || st.Trial.Version != "1.1.0" || st.Trial.Previous != "" || st.Trial.Boots != 0 {
		t.Fatalf("after install: %+v trial %+v", st, st.Trial)
	}
	slot, bin := s.Boot()
	if slot != A || bin != filepath.Join(testDir, "a", "p2pcamd") {
		t.Fatalf("Boot = %q %q", slot, bin)
	}
	if got, _ := fsys.ReadFile(bin); !bytes.Equal(got, binary("1.1.0")) {
		t.Fatalf("slot a holds %d bytes, not the release's binary", len(got))
	}
	if tr, _ := s.OnTrial(A); tr == nil || tr.Boots != 1 {
		t.Fatalf("OnTrial(a) = %+v, want boots 1", tr)
	}
	if err := s.Confirm(B); !errors.Is(err, ErrNoTrial) {
		t.Errorf("Confirm(b) = %v, want ErrNoTrial", err)
	}
	if err := s.Confirm(A); err != nil {
		t.Fatal(err)
	}
	st, _ = s.State()
	if st.Trial != nil || st.Last == nil || st.Last.Outcome != OutcomeConfirmed || st.Floor != "1.0.0" || st.Running() != "1.1.0" {
		t.Fatalf("after confirm: %+v last %+v", st, st.Last)
	}
	// The next release goes to the other slot.
	if err := installer(t, s, "1.1.0").Install(context.Background(), makeBundle(t, release{version: "1.2.0"})); err != nil {
		t.Fatal(err)
	}
	if slot, _ := s.Boot(); slot != B {
		t.Fatalf("second release boots slot %q, want b", slot)
	}
}

func TestInstallRefuses(t *testing.T) {
	cases := []struct {
		name    string
		running string
		rel     release
		mangle  func([]byte) []byte
		want    error
	}{
		{"wrong key", "1.0.0", release{version: "1.1.0", key: otherKey}, nil, ota.ErrBadSignature},
		{"tampered part", "1.0.0", release{version: "1.1.0"}, func(b []byte) []byte { b[len(b)-100] ^= 1; return b }, ota.ErrHashMismatch},
		{"truncated", "1.0.0", release{version: "1.1.0"}, func(b []byte) []byte { return b[:len(b)-1] }, ota.ErrTruncated},
		{"wrong arch", "1.0.0", release{version: "1.1.0", arch: "armv7"}, nil, ota.ErrWrongArch},
		{"downgrade", "1.0.0", release{version: "0.9.9"}, nil, ota.ErrDowngrade},
		{"same version", "1.0.0", release{version: "1.0.0"}, nil, ota.ErrDowngrade},
		{"running below min_version", "1.0.0", release{version: "2.0.0", min: "1.5.0"}, nil, ota.ErrBelowFloor},
		// The floor matters when the factory binary runs (no slot current).
		{"below the confirmed floor", "factory 0.5.0", release{version: "0.8.0"}, nil, ErrBelowFloor},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fsys := newCrashFS()
			s := confirmed(t, fsys, "1.0.0") // floor 0.1.0
			st0, _ := s.State()
			st0.Floor = "0.9.0"
			running := c.running
			if v, ok := strings.CutPrefix(running, "factory "); ok {
				st0.Current, running = "", v
			}
			if err := s.write(st0); err != nil {
				t.Fatal(err)
			}
			path := makeBundle(t, c.rel)
			if c.mangle != nil {
				b, _ := os.ReadFile(path)
				if err := os.WriteFile(path, c.mangle(b), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			before := fsys.files()
			fsys.calls, fsys.trace = 0, nil
			err := installer(t, s, running).Install(context.Background(), path)
			if !errors.Is(err, c.want) {
				t.Fatalf("Install = %v, want %v", err, c.want)
			}
			if fsys.calls != 0 {
				t.Errorf("refused bundle, yet the store wrote: %q", fsys.trace)
			}
			if after := fsys.files(); after != before {
				t.Errorf("files changed:\n%s\nto\n%s", before, after)
			}
		})
	}
}

func TestInstallRefusesDuringTrialAndFailedVersion(t *testing.T) {
	fsys := newCrashFS()
	s := confirmed(t, fsys, "1.0.0")
	in := installer(t, s, "1.0.0")
	if err := in.Install(context.Background(), makeBundle(t, release{version: "1.1.0"})); err != nil {
		t.Fatal(err)
	}
	if err := in.Install(context.Background(), makeBundle(t, release{version: "1.2.0"})); !errors.Is(err, ErrTrialActive) {
		t.Fatalf("install during a trial = %v, want ErrTrialActive", err)
	}
	if err := s.Fail(B, "stream standard made no frame in 90s"); err != nil {
		t.Fatal(err)
	}
	st, _ := s.State()
	if st.Current != A || st.Last.Outcome != OutcomeRolledBack || st.Last.Running != "1.0.0" || st.Last.Reason == "" {
		t.Fatalf("after Fail: %+v last %+v", st, st.Last)
	}
	if err := in.Install(context.Background(), makeBundle(t, release{version: "1.1.0"})); !errors.Is(err, ErrFailedBefore) {
		t.Fatalf("reinstalling a failed version = %v, want ErrFailedBefore", err)
	}
	if err := in.Install(context.Background(), makeBundle(t, release{version: "1.1.1"})); err != nil {
		t.Fatalf("a fixed release: %v", err)
	}
}

func TestInstallCancelled(t *testing.T) {
	fsys := newCrashFS()
	s := confirmed(t, fsys, "1.0.0")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := installer(t, s, "1.0.0").Install(ctx, makeBundle(t, release{version: "1.1.0"})); !errors.Is(err, context.Canceled) {
		t.Fatalf("Install = %v, want context.Canceled", err)
	}
	if st, _ := s.State(); st.Current != A || st.Trial != nil {
		t.Fatalf("state changed: %+v", st)
	}
}

func TestNewInstallerRefuses(t *testing.T) {
	for _, c := range []struct {
		name string
		cfg  InstallerConfig
		want error
	}{
		{"no key", InstallerConfig{Version: "1.0.0"}, ota.ErrNoTrustedKey},
	} {
		if _, err := NewInstaller(c.cfg); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
}

// TestInstallVersionStamps: the factory binary's stamp must be a release
// version; once a slot is current, its version is the running one.
func TestInstallVersionStamps(t *testing.T) {
	for _, v := range []string{"dev", "v1.4.0-3-gabc123"} {
		s := newStore(newCrashFS())
		err := installer(t, s, v).Install(context.Background(), makeBundle(t, release{version: "1.1.0"}))
		if !errors.Is(err, ota.ErrBadVersion) {
			t.Errorf("factory binary %q: Install = %v, want ErrBadVersion", v, err)
		}
	}
	s := confirmed(t, newCrashFS(), "1.0.0")
	in := installer(t, s, "dev") // the factory binary, running ota-install
	if err := in.Install(context.Background(), makeBundle(t, release{version: "1.0.0"})); !errors.Is(err, ota.ErrDowngrade) {
		t.Errorf("same version as slot a: %v, want ErrDowngrade", err)
	}
	if err := in.Install(context.Background(), makeBundle(t, release{version: "1.0.1"})); err != nil {
		t.Errorf("newer than slot a: %v", err)
	}
}

func TestBootRollsBackAfterMaxBoots(t *testing.T) {
	fsys := newCrashFS()
	s := confirmed(t, fsys, "1.0.0")
	if err := installer(t, s, "1.0.0").Install(context.Background(), makeBundle(t, release{version: "1.1.0"})); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= DefaultMaxBoots; i++ {
		if slot, _ := s.Boot(); slot != B {
			t.Fatalf("start %d on trial: slot %q, want b", i, slot)
		}
	}
	slot, bin := s.Boot()
	if slot != A {
		t.Fatalf("start %d: slot %q, want a (rolled back)", DefaultMaxBoots+1, slot)
	}
	if got, _ := fsys.ReadFile(bin); !bytes.Equal(got, binary("1.0.0")) {
		t.Fatal("rolled back to a binary that is not 1.0.0")
	}
	st, _ := s.State()
	if st.Trial != nil || st.Last == nil || st.Last.Outcome != OutcomeRolledBack || st.Last.Version != "1.1.0" || len(st.Failed) != 1 {
		t.Fatalf("after rollback: %+v last %+v", st, st.Last)
	}
	if err := s.Confirm(B); !errors.Is(err, ErrNoTrial) {
		t.Errorf("a late Confirm of the rolled back slot = %v, want ErrNoTrial", err)
	}
}

func TestBootCorruptState(t *testing.T) {
	fsys := newCrashFS()
	s := confirmed(t, fsys, "1.0.0")
	f, _ := fsys.Create(filepath.Join(testDir, stateFile), 0o644)
	f.Write([]byte(`{"format":1,"current":"b"`))
	f.Close()
	if slot, bin := s.Boot(); slot != "" || bin != "" {
		t.Fatalf("corrupt state: Boot = %q %q, want the factory binary", slot, bin)
	}
	if _, err := s.State(); !errors.Is(err, ErrBadState) {
		t.Fatalf("State = %v, want ErrBadState", err)
	}
	// An install over it starts afresh.
	if err := installer(t, s, "1.0.0").Install(context.Background(), makeBundle(t, release{version: "1.1.0"})); err != nil {
		t.Fatal(err)
	}
	if slot, _ := s.Boot(); slot != A {
		t.Fatalf("after installing over a corrupt state: slot %q", slot)
	}
}

func TestOSFS(t *testing.T) {
	dir := t.TempDir()
	s := New(Config{Dir: dir, Logger: quietLog()})
	if err := installer(t, s, "1.0.0").Install(context.Background(), makeBundle(t, release{version: "1.1.0"})); err != nil {
		t.Fatal(err)
	}
	slot, bin := s.Boot()
	if slot != A {
		t.Fatalf("Boot = %q", slot)
	}
	fi, err := os.Stat(bin)
	if err != nil || fi.Mode().Perm() != 0o755 {
		t.Fatalf("slot binary: %v %v, want mode 0755", fi, err)
	}
	if _, err := os.Stat(bin + ".tmp"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("temporary file left: %v", err)
	}
}
