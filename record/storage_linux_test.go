package record

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/p2pcam/p2pcam/internal/mediatest"
	"github.com/p2pcam/p2pcam/media"
)

// mountTmpfs mounts a tmpfs of size bytes on a new temporary directory,
// unmounted when the test ends. It needs root: without it the test is
// skipped, except under CI, where it fails.
func mountTmpfs(t *testing.T, size int) string {
	t.Helper()
	if os.Geteuid() != 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("storage tests need root under CI: run them as root")
		}
		t.Skip("mounting a tmpfs needs root: run as root (CI does) to test a full card, a pulled card and a read-only card")
	}
	dir := t.TempDir()
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size="+strconv.Itoa(size)); err != nil {
		t.Fatalf("mount tmpfs: %v", err)
	}
	t.Cleanup(func() { unix.Unmount(dir, unix.MNT_DETACH) })
	return dir
}

// writeAll writes frames to r, moving clk along, and returns the storage
// errors Write returned.
func writeAll(t *testing.T, r *Recorder, frames []*media.Frame, step func(f *media.Frame)) (errs []error) {
	t.Helper()
	for _, f := range frames {
		if step != nil {
			step(f)
		}
		if err := r.Write(f); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// TestFullCard records 40 s (about 2 MB) onto a 1 MiB card: with the
// free-space margin retention deletes the oldest segments before a
// write can fail; with the margin off the card fills, and the recorder
// deletes the oldest and goes on at the next keyframe. Either way it
// records to the end, and what is left plays.
func TestFullCard(t *testing.T) {
	frames := testFrames(t, media.QualityHigh, 40*time.Second)
	for _, c := range []struct {
		name    string
		minFree int64
		failing bool // writes fail with ENOSPC along the way
	}{
		{"margin", 128 << 10, false},
		{"no margin", -1, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			card := mountTmpfs(t, 1<<20)
			var heard storageLog
			r, clk := newTestRecorder(t, card, Config{MinFree: c.minFree, BufferSize: 32 << 10, OnStorage: heard.add})
			start := clk.Now()
			errs := writeAll(t, r, frames, func(f *media.Frame) {
				if d := start.Add(f.PTS).Sub(clk.Now()); d > 0 {
					clk.Advance(d)
				}
			})
			r.Close()
			for _, err := range errs {
				if !errors.Is(err, syscall.ENOSPC) && !errors.Is(err, errNoRoom) {
					t.Errorf("write error %v: want only a full card", err)
				}
			}
			if c.failing != (len(errs) > 0) {
				t.Errorf("%d write errors, want some: %v", len(errs), c.failing)
			}
			if got := heard.states(); c.failing && (len(got) == 0 || !slices.Equal(slices.Compact(got), []string{StorageFull})) {
				t.Errorf("storage changes %q, want only %q", got, StorageFull)
			}
			st := r.Status()
			if !st.Recording || r.Stats().Deleted == 0 {
				t.Fatalf("status %+v, stats %+v: want recording, oldest deleted", st, r.Stats())
			}
			segs := r.Query(t0, t0.Add(time.Hour))
			if len(segs) == 0 || segs[len(segs)-1].End.Before(t0.Add(38*time.Second)) {
				t.Fatalf("segments %+v: want the last seconds kept", segs)
			}
			for _, s := range segs {
				mediatest.CheckDecodes(t, filepath.Join(card, s.File()))
			}
		})
	}
}

// TestCardPulledAndBack detaches the card's file system under a running
// recorder (a lazy unmount, as pulling the card leaves it): recording
// stops with a reason and nothing is written where the card was, whether
// the storage directory is a folder on the card or its mount point;
// when a card is mounted again it resumes.
func TestCardPulledAndBack(t *testing.T) {
	mountTmpfs(t, 1) // skips without root
	for _, c := range []struct {
		name   string
		folder string // the storage directory inside the mount point
	}{
		{"folder on the card", "p2pcam"},
		{"mount point", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			mnt := t.TempDir()
			mount := func() {
				if err := unix.Mount("tmpfs", mnt, "tmpfs", 0, "size=8m"); err != nil {
					t.Fatalf("mount: %v", err)
				}
			}
			mount()
			t.Cleanup(func() { unix.Unmount(mnt, unix.MNT_DETACH) })
			dir := filepath.Join(mnt, c.folder)
			var heard storageLog
			r, clk := newTestRecorder(t, dir, Config{FlushInterval: 200 * time.Millisecond, RetryInterval: 2 * time.Second, OnStorage: heard.add})
			frames := testFrames(t, media.QualityStandard, 30*time.Second)
			start := clk.Now()
			step := func(f *media.Frame) {
				if d := start.Add(f.PTS).Sub(clk.Now()); d > 0 {
					clk.Advance(d)
				}
			}
			span := func(from, to time.Duration) []*media.Frame {
				var out []*media.Frame
				for _, f := range frames {
					if f.PTS >= from && f.PTS < to {
						out = append(out, f)
					}
				}
				return out
			}
			writeAll(t, r, span(0, 7*time.Second), step)
			if err := unix.Unmount(mnt, unix.MNT_DETACH); err != nil {
				t.Fatal(err)
			}
			if errs := writeAll(t, r, span(7*time.Second, 15*time.Second), step); len(errs) == 0 {
				t.Fatal("no write failed with the card pulled")
			}
			if st := r.Status(); st.Recording || st.Reason == "" {
				t.Fatalf("status %+v: want stopped with a reason", st)
			}
			if es, err := os.ReadDir(mnt); err != nil || len(es) > 0 {
				t.Fatalf("something was written where the card was: %v %v", es, err)
			}
			mount()
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			writeAll(t, r, span(15*time.Second, 25*time.Second), step)
			r.Close()
			if st := r.Status(); !st.Recording {
				t.Fatalf("status %+v: want recording again", st)
			}
			if got := heard.states(); !slices.Equal(got, []string{StorageRemoved, StorageOK}) {
				t.Fatalf("storage changes %q, want %q then %q", got, StorageRemoved, StorageOK)
			}
			segs := r.Query(t0, t0.Add(time.Hour))
			if len(segs) < 1 || segs[0].Start().Before(t0.Add(15*time.Second)) {
				t.Fatalf("segments on the new card %+v", segs)
			}
			for _, s := range segs {
				mediatest.CheckDecodes(t, filepath.Join(dir, s.File()))
			}
		})
	}
}

// TestReadOnlyCard starts on a card mounted read-only: recording stops
// with the reason, and resumes once it is remounted writable.
func TestReadOnlyCard(t *testing.T) {
	card := mountTmpfs(t, 8<<20)
	if err := unix.Mount("", card, "", unix.MS_REMOUNT|unix.MS_RDONLY, ""); err != nil {
		t.Fatal(err)
	}
	var heard storageLog
	r, clk := newTestRecorder(t, card, Config{RetryInterval: 2 * time.Second, OnStorage: heard.add})
	frames := testFrames(t, media.QualityStandard, 10*time.Second)
	start := clk.Now()
	step := func(f *media.Frame) {
		if d := start.Add(f.PTS).Sub(clk.Now()); d > 0 {
			clk.Advance(d)
		}
		if f.PTS == 4*time.Second && f.Kind == media.KindVideo {
			if st := r.Status(); st.Recording || st.Reason == "" {
				t.Errorf("status on a read-only card %+v", st)
			}
			if err := unix.Mount("", card, "", unix.MS_REMOUNT, ""); err != nil {
				t.Fatal(err)
			}
		}
	}
	writeAll(t, r, frames, step)
	r.Close()
	segs := r.Query(t0, t0.Add(time.Hour))
	if !r.Status().Recording || len(segs) == 0 || segs[0].Start().Before(t0.Add(4*time.Second)) {
		t.Fatalf("after remounting writable: %+v, %+v", r.Status(), segs)
	}
	if got := heard.states(); !slices.Equal(got, []string{StorageReadOnly, StorageOK}) {
		t.Fatalf("storage changes %q, want %q then %q", got, StorageReadOnly, StorageOK)
	}
}
