//go:build linux

package gpio

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Input limits.
const (
	// MaxDebounce bounds an input's debounce: a button held shorter
	// than this is not pressed.
	MaxDebounce = time.Second
	// pollInterval is how often Run looks at its context while no edge
	// comes: it bounds how long Run takes to return once ctx is done.
	pollInterval = 100 * time.Millisecond
	// eventSize is sizeof(struct gpio_v2_line_event).
	eventSize = int(unsafe.Sizeof(lineEvent{}))
)

// Edge is a debounced change of an input line.
type Edge struct {
	// Active is the line's logical level after the change.
	Active bool
	// At is the kernel's timestamp of the edge that made the change
	// (CLOCK_MONOTONIC).
	At time.Duration
	// Seen is when Run saw the edge and when the debounce accepted it.
	Seen, Accepted time.Time
}

// Input is a GPIO line requested as an input with edge detection on
// both edges. The kernel queues every edge with a timestamp; Run
// debounces them and reports changes.
type Input struct {
	sys      Sys
	name     string
	fd       int
	debounce time.Duration
	level    bool // the last level reported, or read at open
}

// OpenInput requests line offset of chip as an input with edge events,
// from the running kernel. A change is reported once the line has held
// its new level for debounce (0: every edge at once).
func OpenInput(chip string, offset int, activeLow bool, debounce time.Duration, consumer string) (*Input, error) {
	return OpenInputWith(Kernel, chip, offset, activeLow, debounce, consumer)
}

// OpenInputWith is OpenInput through sys.
func OpenInputWith(sys Sys, chip string, offset int, activeLow bool, debounce time.Duration, consumer string) (*Input, error) {
	if debounce < 0 || debounce > MaxDebounce {
		return nil, fmt.Errorf("gpio: debounce %v: want 0 to %v", debounce, MaxDebounce)
	}
	l, err := openLine(sys, chip, offset, flagInput|flagEdgeRising|flagEdgeFalling, activeLow, consumer)
	if err != nil {
		return nil, err
	}
	in := &Input{sys: sys, name: l.name, fd: l.fd, debounce: debounce}
	if in.level, err = l.Get(); err != nil {
		_ = l.Close()
		return nil, err
	}
	return in, nil
}

// String returns "CHIP:OFFSET".
func (in *Input) String() string { return in.name }

// Active returns the level at open, before Run.
func (in *Input) Active() bool { return in.level }

// Run reports each debounced change of the line to fn until ctx is
// done, then releases the line. A bounce, an edge undone within the
// debounce, is not reported. Run returns nil when ctx ends it, or the
// error that stopped it; the line is released either way. Call it once.
func (in *Input) Run(ctx context.Context, fn func(Edge)) error {
	defer in.sys.Close(in.fd)
	buf := make([]byte, 16*eventSize)
	var (
		pending   bool      // a change waits for its debounce
		pendLevel bool      // its level
		pendEdge  Edge      // the edge that made it
		stableAt  time.Time // when it has held for the debounce
	)
	for {
		if ctx.Err() != nil {
			return nil
		}
		wait := pollInterval
		if pending {
			wait = min(wait, max(time.Until(stableAt), 0))
		}
		ready, err := in.sys.Poll(in.fd, wait)
		if err != nil {
			return fmt.Errorf("gpio: line %s: poll: %w", in.name, err)
		}
		if ready {
			n, err := in.sys.Read(in.fd, buf)
			if err != nil && !errors.Is(err, unix.EAGAIN) && !errors.Is(err, unix.EINTR) {
				return fmt.Errorf("gpio: line %s: read edge events: %w", in.name, err)
			}
			now := time.Now()
			for off := 0; off+eventSize <= n; off += eventSize {
				e := buf[off : off+eventSize]
				level := binary.NativeEndian.Uint32(e[8:]) == eventRisingEdge
				edge := Edge{Active: level, At: time.Duration(binary.NativeEndian.Uint64(e)), Seen: now}
				switch {
				case level == in.level:
					pending = false // back where it was: a bounce
				case !pending || level != pendLevel:
					pending, pendLevel, pendEdge, stableAt = true, level, edge, now.Add(in.debounce)
				}
			}
		}
		if pending && !time.Now().Before(stableAt) {
			pending = false
			in.level = pendLevel
			pendEdge.Accepted = time.Now()
			fn(pendEdge)
		}
	}
}
