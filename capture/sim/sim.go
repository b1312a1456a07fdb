// Package sim is the simulated camera: built-in H.264 clips, one per
// quality, looped in real time so that p2pcamd runs with no hardware.
// The clips are made by scripts/make-sim-clips.sh.
package sim

import (
	_ "embed"
	"fmt"

	"github.com/p2pcam/p2pcam/capture"
	"github.com/p2pcam/p2pcam/media"
)

var (
	//go:embed clips/super.h264
	superClip []byte
	//go:embed clips/high.h264
	highClip []byte
	//go:embed clips/standard.h264
	standardClip []byte
)

// Clip returns the built-in Annex-B clip for q: super 1280x720, high
// 640x360, standard 320x180, all 25 fps constrained baseline.
func Clip(q media.Quality) ([]byte, error) {
	switch q {
	case media.QualitySuper:
		return superClip, nil
	case media.QualityHigh:
		return highClip, nil
	case media.QualityStandard:
		return standardClip, nil
	}
	return nil, fmt.Errorf("sim: no clip for quality %q", q)
}

// New returns a source that loops the clip for q.
func New(q media.Quality, env capture.Env) (*capture.File, error) {
	clip, err := Clip(q)
	if err != nil {
		return nil, err
	}
	return capture.NewClip("sim:"+string(q), clip, env), nil
}
