//go:build !linux

package main

import (
	"errors"
	"os"
)

func openPTY() (master, tty *os.File, err error) {
	return nil, nil, errors.New("no pseudo-terminal in this test on this OS")
}

func echoOn(*os.File) bool { return false }
