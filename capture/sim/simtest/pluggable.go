// Package simtest helps tests use the sim board's clips: a Pluggable
// camera, an exec source playing a clip that a test can unplug and plug
// back. It is apart from capturetest, which package capture's own tests
// import, because it needs sim, which imports capture.
package simtest

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/p2pcam/p2pcam/capture/sim"
	"github.com/p2pcam/p2pcam/internal/mediatest"
	"github.com/p2pcam/p2pcam/media"
)

// Pluggable is a camera a test can unplug, for an exec source: a capture
// command that plays the sim board's high clip (640x360) in real time
// through ffmpeg -re while its plug file exists, and fails at once while
// it does not.
type Pluggable struct {
	dir string
}

// NewPluggable makes a plugged-in camera; the test skips without ffmpeg.
func NewPluggable(t testing.TB) *Pluggable {
	t.Helper()
	mediatest.Require(t, "ffmpeg")
	c := &Pluggable{dir: t.TempDir()}
	clip, _ := sim.Clip(media.QualityHigh)
	if err := os.WriteFile(filepath.Join(c.dir, "clip.h264"), clip, 0o644); err != nil {
		t.Fatal(err)
	}
	// ffmpeg cannot loop raw H.264 itself (-stream_loop seeks); a shell
	// loop feeds it, and ends when ffmpeg does (cat gets SIGPIPE).
	script := fmt.Sprintf(`[ -e %[1]s/plugged ] || { echo unplugged >&2; exit 1; }
while cat %[1]s/clip.h264; do :; done | ffmpeg -nostdin -v error -re -f h264 -i - -c copy -f h264 - &
echo $! > %[1]s/pid
wait
`, c.dir)
	if err := os.WriteFile(filepath.Join(c.dir, "camera.sh"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	c.Plug(t)
	return c
}

// Spec is the source spec of the camera.
func (c *Pluggable) Spec() string { return "exec:sh " + filepath.Join(c.dir, "camera.sh") }

// Plug plugs the camera in: the next start of its command plays.
func (c *Pluggable) Plug(t testing.TB) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(c.dir, "plugged"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
}

// Unplug removes the plug file and kills the running capture command's
// ffmpeg, so the command ends and fails at each restart.
func (c *Pluggable) Unplug(t testing.TB) {
	t.Helper()
	if err := os.Remove(filepath.Join(c.dir, "plugged")); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(c.dir, "pid"))
	if err != nil {
		t.Fatalf("the camera command never ran: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill the camera command's ffmpeg %d: %v", pid, err)
	}
}
