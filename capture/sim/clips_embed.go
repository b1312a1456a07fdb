//go:build !nosimclips

package sim

import (
	_ "embed"
	"fmt"

	"github.com/p2pcam/p2pcam/capture"
	"github.com/p2pcam/p2pcam/media"
)

// Embedded reports whether the clips are built into the binary.
const Embedded = true

var (
	//go:embed clips/super.h264
	superClip []byte
	//go:embed clips/high.h264
	highClip []byte
	//go:embed clips/standard.h264
	standardClip []byte
)

// clip returns the built-in clip named name, without a copy.
func clip(name string) ([]byte, error) {
	switch name {
	case "super.h264":
		return superClip, nil
	case "high.h264":
		return highClip, nil
	case "standard.h264":
		return standardClip, nil
	}
	return nil, fmt.Errorf("sim: no clip %q", name)
}

// New returns a source that loops the clip for q.
func New(q media.Quality, env capture.Env) (*capture.File, error) {
	c, err := Clip(q)
	if err != nil {
		return nil, err
	}
	return capture.NewClip("sim:"+string(q), c, env), nil
}
