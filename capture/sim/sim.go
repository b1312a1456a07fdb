// Package sim is the simulated camera: H.264 clips, one per quality,
// looped in real time so that p2pcamd runs with no hardware, and a
// synthetic microphone. The clips are made by scripts/make-sim-clips.sh.
//
// By default the clips are built into the binary (about 770 kB). A build
// with -tags nosimclips, which scripts/cross-build.sh makes for cameras,
// leaves them out and reads them from Dir instead (or from the folder in
// the environment variable P2PCAM_SIM_DIR); without them there, choosing
// the sim board fails with ErrNoClips.
package sim

import (
	"fmt"

	"github.com/p2pcam/p2pcam/media"
)

// Dir is where a build with -tags nosimclips looks for the clips,
// super.h264, high.h264 and standard.h264, unless P2PCAM_SIM_DIR names
// another folder. rootfs/README.md says how to install them.
const Dir = "/usr/share/p2pcam/sim"

// DirEnv names the environment variable that overrides Dir.
const DirEnv = "P2PCAM_SIM_DIR"

// Clip returns the Annex-B clip for q: super 1280x720, high 640x360,
// standard 320x180, all 25 fps constrained baseline.
func Clip(q media.Quality) ([]byte, error) {
	name, err := clipName(q)
	if err != nil {
		return nil, err
	}
	return clip(name)
}

// clipName is the file name of q's clip.
func clipName(q media.Quality) (string, error) {
	switch q {
	case media.QualitySuper, media.QualityHigh, media.QualityStandard:
		return string(q) + ".h264", nil
	}
	return "", fmt.Errorf("sim: no clip for quality %q", q)
}
