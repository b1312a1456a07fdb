package ioc

import (
	"errors"
	"fmt"
	"syscall"
)

// Errors turns failed requests of one driver package into errors that
// name the device, the request and the errno.
type Errors struct {
	// Prefix starts every message: the package's name ("v4l2").
	Prefix string
	// Gone is the package's sentinel for a device that vanished (the
	// kernel answers ENODEV after an unplug or an unbind).
	Gone error
	// Names names the package's request numbers; a request missing here
	// is shown as its number.
	Names map[uint]string
}

// Request describes request req on the device at path failing with err.
// ENODEV wraps Gone as well; the errno stays available to errors.Is.
func (e Errors) Request(path string, req uint, err error) error {
	name := e.Names[req]
	if name == "" {
		name = fmt.Sprintf("ioctl 0x%08x", req)
	}
	if IsGone(err) {
		return fmt.Errorf("%w: %s: %s: %w", e.Gone, path, name, err)
	}
	return fmt.Errorf("%s: %s: %s: %w", e.Prefix, path, name, err)
}

// IsGone reports whether err is the kernel saying the device vanished.
func IsGone(err error) bool { return errors.Is(err, syscall.ENODEV) }
