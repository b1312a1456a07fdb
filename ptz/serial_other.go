//go:build !linux

package ptz

import (
	"errors"
	"os"
)

// OpenSerial needs Linux.
func OpenSerial(path string, baud int) (*os.File, error) {
	return nil, errors.New("ptz: serial ports need Linux")
}
