package main

import (
	"context"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/capture/sim"
)

// cameraTags are the build tags scripts/cross-build.sh gives camera builds
// of p2pcamd.
const cameraTags = "nosimclips,nethttpomithttp2"

// buildCamera builds p2pcamd with cameraTags into a temporary folder.
func buildCamera(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "p2pcamd")
	out, err := exec.Command("go", "build", "-tags", cameraTags, "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build -tags %s: %v\n%s", cameraTags, err, out)
	}
	return bin
}

// The camera build has no sim clips built in: the sim board fails at start
// with an error that says what to do, unless the clips are installed, and
// then plays them like the default build.
func TestCameraBuildSimClips(t *testing.T) {
	bin := buildCamera(t)
	t.Run("missing", func(t *testing.T) {
		dir := t.TempDir()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, "--board", "sim", "--lan", "127.0.0.1:0")
		cmd.Env = append(os.Environ(), sim.DirEnv+"="+dir)
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 1 {
			t.Fatalf("p2pcamd --board sim without clips: %v, want exit status 1\n%s", err, out)
		}
		for _, want := range []string{"built without the sim clips", dir + "/", ".h264: no such file or directory", "capture/sim/clips", sim.DirEnv, "--board"} {
			if !strings.Contains(string(out), want) {
				t.Errorf("error does not say %q:\n%s", want, out)
			}
		}
	})
	t.Run("installed", func(t *testing.T) {
		clips, err := filepath.Abs("../../capture/sim/clips")
		if err != nil {
			t.Fatal(err)
		}
		d := startBinary(t, bin, []string{sim.DirEnv + "=" + clips}, "")
		resp, body, err := d.fetch(liveURL(d, "high"), 3*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		checkFLV(t, "camera-high", body, 640, 360, 2*25)
	})
}
