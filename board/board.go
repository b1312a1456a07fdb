// Package board describes the camera boards p2pcamd runs on, as data:
// which capture source serves each quality, the video and audio devices,
// the encoder, the GPIO lines of the status LED, IR-cut filter and light
// sensor, the hardware watchdog, and the device-tree models that identify
// the board. [Lookup] finds a profile by name; [Detect] picks one for the
// machine it runs on. docs/boards.md has a table per board.
//
// Subpackages drive the hardware: gpio (GPIO character device), watchdog
// (/dev/watchdog), statusled and ircut (controllers over GPIO lines), and
// periph, which starts what a profile names.
package board

import (
	"fmt"
	"slices"
	"sort"

	"github.com/p2pcam/p2pcam/media"
)

// Lookup returns the profile named name.
func Lookup(name string) (Profile, error) {
	for _, p := range profiles() {
		if p.Name == name {
			return p, nil
		}
	}
	if name == Auto {
		return Profile{}, fmt.Errorf("board: %q is resolved by board.Detect, not Lookup", name)
	}
	return Profile{}, fmt.Errorf("board: unknown board %q; known boards: %v (or %q to detect)", name, Names(), Auto)
}

// Names lists the known boards.
func Names() []string {
	var names []string
	for _, p := range profiles() {
		names = append(names, p.Name)
	}
	sort.Strings(names)
	return names
}

// Nearest returns the quality among have that is closest to want: want
// itself when present, else the nearest by rank, the lower one on a tie
// (it costs the viewer less bandwidth). ok is false when have is empty.
func Nearest(want media.Quality, have []media.Quality) (q media.Quality, ok bool) {
	if slices.Contains(have, want) {
		return want, true
	}
	best := -1
	for i, h := range have {
		d := abs(h.Rank() - want.Rank())
		if best < 0 || d < abs(have[best].Rank()-want.Rank()) ||
			d == abs(have[best].Rank()-want.Rank()) && h.Rank() < have[best].Rank() {
			best = i
		}
	}
	if best < 0 {
		return "", false
	}
	return have[best], true
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
