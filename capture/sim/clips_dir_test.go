//go:build nosimclips

package sim

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/p2pcam/p2pcam/capture"
	"github.com/p2pcam/p2pcam/media"
)

// Without the clip files, a nosimclips build's sim board fails at once
// with ErrNoClips, naming the file and the ways out.
func TestNoClips(t *testing.T) {
	if Embedded {
		t.Fatal("Embedded is true in a nosimclips build")
	}
	empty := t.TempDir()
	notFile := t.TempDir()
	if err := os.Mkdir(filepath.Join(notFile, "high.h264"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, dir, why string }{
		{"missing", empty, "no such file or directory"},
		{"directory", notFile, "not a regular file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(DirEnv, tc.dir)
			_, err := New(media.QualityHigh, capture.Env{})
			if !errors.Is(err, ErrNoClips) {
				t.Fatalf("New: %v, want ErrNoClips", err)
			}
			for _, want := range []string{filepath.Join(tc.dir, "high.h264"), tc.why, "capture/sim/clips", DirEnv, "--board"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			if _, err := Clip(media.QualityHigh); !errors.Is(err, ErrNoClips) {
				t.Errorf("Clip: %v, want ErrNoClips", err)
			}
		})
	}
}

// With no P2PCAM_SIM_DIR, the clips are looked for in Dir.
func TestClipPathDefault(t *testing.T) {
	t.Setenv(DirEnv, "")
	if got, want := clipPath("high.h264"), filepath.Join(Dir, "high.h264"); got != want {
		t.Errorf("clipPath = %q, want %q", got, want)
	}
}
