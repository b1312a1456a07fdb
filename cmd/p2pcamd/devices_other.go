//go:build !linux

package main

import (
	"errors"
	"io"
)

// listDevices fails: V4L2 and ALSA exist on Linux only.
func listDevices(w io.Writer) error {
	return errors.New("--list-devices lists V4L2 and ALSA devices, which exist on Linux only")
}
