//go:build nosimclips

package sim

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/p2pcam/p2pcam/capture"
	"github.com/p2pcam/p2pcam/media"
)

// Embedded reports whether the clips are built into the binary.
const Embedded = false

// clipPath is where the clip named name is looked for.
func clipPath(name string) string {
	dir := os.Getenv(DirEnv)
	if dir == "" {
		dir = Dir
	}
	return filepath.Join(dir, name)
}

// clip reads the clip file named name.
func clip(name string) ([]byte, error) {
	path := clipPath(name)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, noClip(path, err)
	}
	return b, nil
}

// New returns a source that loops the clip file for q. The file is read
// from storage on each loop, not held in memory.
func New(q media.Quality, env capture.Env) (*capture.File, error) {
	name, err := clipName(q)
	if err != nil {
		return nil, err
	}
	path := clipPath(name)
	fi, err := os.Stat(path)
	if err == nil && !fi.Mode().IsRegular() {
		err = errors.New("not a regular file")
	}
	if err != nil {
		return nil, noClip(path, err)
	}
	return capture.NewFile(path, env), nil
}

// noClip is the ErrNoClips for the clip at path.
func noClip(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err // the path is in the message already
	}
	return fmt.Errorf("%w; %s: %v: copy capture/sim/clips/*.h264 to %s (or set %s to their folder), or choose a camera board with --board",
		ErrNoClips, path, err, filepath.Dir(path), DirEnv)
}
