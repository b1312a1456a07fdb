// Package ptz moves a camera's pan-tilt head: a Driver speaks to the
// hardware (or, on the sim board, to a simulated head), and a Controller
// gives it the X-P2P semantics: a short step for ptz_left and friends,
// press-and-hold with a safety stop when no release comes, and presets
// that survive a restart.
package ptz

import "fmt"

// Direction is where a head moves.
type Direction uint8

// Directions.
const (
	Left Direction = iota + 1
	Right
	Up
	Down
)

var dirNames = map[Direction]string{Left: "left", Right: "right", Up: "up", Down: "down"}

// String returns the direction's name, e.g. "left".
func (d Direction) String() string {
	if s, ok := dirNames[d]; ok {
		return s
	}
	return fmt.Sprintf("Direction(%d)", uint8(d))
}

// ParseDirection parses left, right, up or down.
func ParseDirection(s string) (Direction, error) {
	for d, name := range dirNames {
		if name == s {
			return d, nil
		}
	}
	return 0, fmt.Errorf("%w: %q: want left, right, up or down", ErrBadDirection, s)
}

// axis returns the step a direction makes on each axis: pan grows to the
// right, tilt grows upwards.
func (d Direction) axis() (pan, tilt int) {
	switch d {
	case Left:
		return -1, 0
	case Right:
		return 1, 0
	case Up:
		return 0, 1
	case Down:
		return 0, -1
	}
	return 0, 0
}

// Position is where a head points, in its motors' steps from the centre.
type Position struct {
	Pan  int `json:"pan"`
	Tilt int `json:"tilt"`
}

// State is a head's position and whether it is moving.
type State struct {
	Position
	Moving bool `json:"moving"`
}

// Driver moves one pan-tilt head. Moves run until Stop, until the head
// reaches a limit, or (MoveTo) until it arrives; they return at once.
type Driver interface {
	// Move starts moving in d.
	Move(d Direction) error
	// MoveTo starts moving to p, which the driver clamps to its limits.
	MoveTo(p Position) error
	// Stop stops any move.
	Stop() error
	// State returns where the head is and whether it moves.
	State() (State, error)
	// Close stops the head and releases the hardware.
	Close() error
}
