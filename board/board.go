// Package board describes the camera boards p2pcamd runs on: which capture
// source serves each quality. Profiles are data, looked up by name.
package board

import (
	"fmt"
	"slices"
	"sort"

	"github.com/p2pcam/p2pcam/media"
)

// Profile describes one kind of board.
type Profile struct {
	Name        string
	Description string
	// Streams maps each quality the board serves to a source spec
	// ("sim:high", "file:PATH", "exec:COMMAND"). A board may serve fewer
	// than three qualities; requests for the others get the nearest.
	Streams map[media.Quality]string
}

// profiles returns every known board.
func profiles() []Profile {
	return []Profile{
		{
			Name:        "sim",
			Description: "simulated camera: built-in 25 fps test clips, no hardware",
			Streams: map[media.Quality]string{
				media.QualitySuper:    "sim:super",
				media.QualityHigh:     "sim:high",
				media.QualityStandard: "sim:standard",
			},
		},
	}
}

// Lookup returns the profile named name.
func Lookup(name string) (Profile, error) {
	for _, p := range profiles() {
		if p.Name == name {
			return p, nil
		}
	}
	return Profile{}, fmt.Errorf("board: unknown board %q; known boards: %v", name, Names())
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
