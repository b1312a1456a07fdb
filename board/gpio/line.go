//go:build linux

package gpio

import (
	"errors"
	"fmt"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Line is one requested GPIO line. Its methods are safe for concurrent
// use.
type Line struct {
	sys    Sys
	name   string // "/dev/gpiochip0:17", for messages
	output bool

	mu sync.Mutex // guards fd
	fd int        // -1 once closed
}

// OpenLine requests line offset of chip (a path, "gpiochipN", or a chip
// label) from the running kernel: as an output, starting inactive, or as
// an input. With activeLow, the line is active (true) at the low level.
// consumer names the user in the kernel's records (gpioinfo shows it); it
// is cut to 31 bytes.
func OpenLine(chip string, offset int, output, activeLow bool, consumer string) (*Line, error) {
	return OpenLineWith(Kernel, chip, offset, output, activeLow, consumer)
}

// OpenLineWith is OpenLine through sys.
func OpenLineWith(sys Sys, chip string, offset int, output, activeLow bool, consumer string) (*Line, error) {
	flags := flagInput
	if output {
		flags = flagOutput
	}
	return openLine(sys, chip, offset, flags, activeLow, consumer)
}

// openLine requests a line with flags (a direction, and edge detection
// for an input).
func openLine(sys Sys, chip string, offset int, flags uint64, activeLow bool, consumer string) (*Line, error) {
	output := flags&flagOutput != 0
	path, err := chipPath(sys, chip)
	if err != nil {
		return nil, err
	}
	fd, err := sys.Open(path)
	if err != nil {
		return nil, openError(path, err)
	}
	defer sys.Close(fd)
	info, err := chipInfoOf(sys, fd, path)
	if err != nil {
		return nil, err
	}
	name := fmt.Sprintf("%s:%d", path, offset)
	if offset < 0 || offset >= info.Lines {
		return nil, fmt.Errorf("gpio: line %s: out of range: %s (%q) has %d lines", name, info.Name, info.Label, info.Lines)
	}
	req := lineRequest{NumLines: 1}
	req.Offsets[0] = uint32(offset)
	copy(req.Consumer[:maxNameSize-1], consumer)
	req.Config.Flags = flags
	if output {
		// Start inactive: the attribute sets the value of the lines
		// in its mask, here the first (and only) requested line.
		req.Config.Flags = flagOutput
		req.Config.NumAttrs = 1
		req.Config.Attrs[0] = lineConfigAttribute{Attr: lineAttribute{ID: attrOutputValues, Value: 0}, Mask: 1}
	}
	if activeLow {
		req.Config.Flags |= flagActiveLow
	}
	if err := sys.Ioctl(fd, getLineIoctl, unsafe.Pointer(&req)); err != nil {
		if errors.Is(err, unix.EBUSY) {
			return nil, fmt.Errorf("gpio: line %s: %w; a kernel driver or another program holds it (see gpioinfo)", name, err)
		}
		return nil, fmt.Errorf("gpio: line %s: GPIO_V2_GET_LINE_IOCTL: %w", name, err)
	}
	return &Line{sys: sys, name: name, output: output, fd: int(req.FD)}, nil
}

// String returns "CHIP:OFFSET".
func (l *Line) String() string { return l.name }

// Set drives an output line active (true) or inactive (false).
func (l *Line) Set(active bool) error {
	if !l.output {
		return fmt.Errorf("%w: %s", ErrNotOutput, l.name)
	}
	v := lineValues{Mask: 1}
	if active {
		v.Bits = 1
	}
	return l.ioctl(lineSetValuesIoctl, &v, "GPIO_V2_LINE_SET_VALUES_IOCTL")
}

// Get reads whether the line is active. For an output, that is the level
// it drives.
func (l *Line) Get() (bool, error) {
	v := lineValues{Mask: 1}
	if err := l.ioctl(lineGetValuesIoctl, &v, "GPIO_V2_LINE_GET_VALUES_IOCTL"); err != nil {
		return false, err
	}
	return v.Bits&1 != 0, nil
}

func (l *Line) ioctl(req uint, v *lineValues, what string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fd < 0 {
		return fmt.Errorf("%w: %s", ErrClosed, l.name)
	}
	if err := l.sys.Ioctl(l.fd, req, unsafe.Pointer(v)); err != nil {
		return fmt.Errorf("gpio: line %s: %s: %w", l.name, what, err)
	}
	return nil
}

// Close releases the line. The kernel promises nothing about a released
// line's level: set an output inactive first where that matters. Close is
// idempotent.
func (l *Line) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fd < 0 {
		return nil
	}
	err := l.sys.Close(l.fd)
	l.fd = -1
	if err != nil {
		return fmt.Errorf("gpio: line %s: close: %w", l.name, err)
	}
	return nil
}
