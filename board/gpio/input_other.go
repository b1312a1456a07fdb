//go:build !linux

package gpio

import (
	"context"
	"time"
)

// Edge is a debounced change of an input line.
type Edge struct {
	Active         bool
	At             time.Duration
	Seen, Accepted time.Time
}

// Input is an input line with edge events; off Linux there are none.
type Input struct{}

// OpenInput fails with ErrUnsupported off Linux.
func OpenInput(chip string, offset int, activeLow bool, debounce time.Duration, consumer string) (*Input, error) {
	return nil, ErrUnsupported
}

// String returns "".
func (in *Input) String() string { return "" }

// Active returns false.
func (in *Input) Active() bool { return false }

// Run fails with ErrUnsupported.
func (in *Input) Run(ctx context.Context, fn func(Edge)) error { return ErrUnsupported }
