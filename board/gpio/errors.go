package gpio

import "errors"

var (
	// ErrUnsupported is returned off Linux, where there is no GPIO
	// character device.
	ErrUnsupported = errors.New("gpio: GPIO character devices need Linux")
	// ErrClosed is returned by the methods of a closed Line.
	ErrClosed = errors.New("gpio: line closed")
	// ErrNotOutput is returned by Set on a line requested as an input.
	ErrNotOutput = errors.New("gpio: line is an input")
	// ErrNoChip is returned when no chip has the name or label asked for.
	ErrNoChip = errors.New("gpio: no such GPIO chip")
)
