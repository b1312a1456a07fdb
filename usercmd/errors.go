package usercmd

import (
	"errors"
	"fmt"
)

// Errors of Run.
var (
	// ErrBusy means MaxRunning programs run already: try again soon.
	ErrBusy = errors.New("usercmd: too many commands running")
	// ErrNotFound means the program could not be started: it is missing
	// or not executable.
	ErrNotFound = errors.New("usercmd: program cannot be started")
	// ErrTimeout means the program ran past its timeout and was killed.
	ErrTimeout = errors.New("usercmd: program timed out")
	// ErrOutputTooLarge means the program wrote more than its output
	// limit and was killed.
	ErrOutputTooLarge = errors.New("usercmd: program output too large")
)

// ExitError is a program that exited with a non-zero status.
type ExitError struct {
	Code   int    // exit status; -1 when a signal ended it
	Stderr string // the start of its stderr, trimmed
}

func (e *ExitError) Error() string {
	if e.Stderr == "" {
		return fmt.Sprintf("usercmd: program exited with status %d", e.Code)
	}
	return fmt.Sprintf("usercmd: program exited with status %d: %s", e.Code, e.Stderr)
}
