// Package usercmd runs the custom commands a camera maker configures: a
// program, started directly (never through a shell), gets the request's
// parameters as JSON on stdin and answers on stdout, within a timeout and
// an output limit, with a bounded number running at once. The agent maps
// requests to programs; this package only runs them.
package usercmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// Defaults and limits of a Program.
const (
	// DefaultTimeout bounds a program's run when its Timeout is 0: a
	// command answers a button press in an app.
	DefaultTimeout = 5 * time.Second
	// MaxTimeout is the longest a program may be given: a viewer's
	// request waits for it.
	MaxTimeout = 5 * time.Minute
	// DefaultMaxOutput bounds stdout when a Program's MaxOutput is 0: a
	// JSON reply of a few hundred bytes, with a lot of room.
	DefaultMaxOutput = 64 << 10
	// MaxOutputLimit is the most MaxOutput may be: the reply is held in
	// memory and sent as one message.
	MaxOutputLimit = 1 << 20
	// DefaultMaxRunning bounds the programs running at once when a
	// Runner's MaxRunning is 0: each is a process on a small board.
	DefaultMaxRunning = 4
	// stderrKeep is how much of stderr an ExitError carries.
	stderrKeep = 512
	// waitDelay is how long a killed program's pipes may stay open (a
	// child it started holds them) before Run gives up on them.
	waitDelay = time.Second
)

// Program is one configured command's program.
type Program struct {
	// Path is the program, absolute or found in PATH.
	Path string
	// Args are fixed arguments after the program name.
	Args []string
	// Env is the program's whole environment ("KEY=value"); the
	// daemon's own environment is not passed on.
	Env []string
	// Timeout kills the program after this long. It defaults to
	// DefaultTimeout.
	Timeout time.Duration
	// MaxOutput kills the program when its stdout exceeds this many
	// bytes. It defaults to DefaultMaxOutput.
	MaxOutput int
}

// Validate reports what is wrong with p's settings.
func (p Program) Validate() error {
	var errs []error
	if p.Path == "" {
		errs = append(errs, errors.New("program is empty: name the program to run"))
	}
	if p.Timeout < 0 || p.Timeout > MaxTimeout {
		errs = append(errs, fmt.Errorf("timeout = %v: want 0 (the default %v) to %v", p.Timeout, DefaultTimeout, MaxTimeout))
	}
	if p.MaxOutput < 0 || p.MaxOutput > MaxOutputLimit {
		errs = append(errs, fmt.Errorf("max_output = %d: want 0 (the default %d) to %d", p.MaxOutput, DefaultMaxOutput, MaxOutputLimit))
	}
	return errors.Join(errs...)
}

// Config configures a Runner. The zero value works.
type Config struct {
	// MaxRunning bounds the programs running at once; one more fails
	// with ErrBusy at once. It defaults to DefaultMaxRunning.
	MaxRunning int
}

// Runner runs programs, a bounded number at once. It is safe for
// concurrent use.
type Runner struct {
	slots chan struct{} // one token per running program
}

// New returns a Runner.
func New(cfg Config) (*Runner, error) {
	if cfg.MaxRunning < 0 {
		return nil, fmt.Errorf("usercmd: MaxRunning = %d: must not be negative", cfg.MaxRunning)
	}
	if cfg.MaxRunning == 0 {
		cfg.MaxRunning = DefaultMaxRunning
	}
	return &Runner{slots: make(chan struct{}, cfg.MaxRunning)}, nil
}

// Run runs p with input on its stdin and returns its stdout. It fails
// with ErrBusy when MaxRunning programs run already, ErrNotFound when the
// program cannot be started, ErrTimeout, ErrOutputTooLarge, ctx's error
// when ctx ends first, or an *ExitError when the program fails.
func (r *Runner) Run(ctx context.Context, p Program, input []byte) ([]byte, error) {
	select {
	case r.slots <- struct{}{}:
		defer func() { <-r.slots }()
	default:
		return nil, fmt.Errorf("%w (%d running)", ErrBusy, cap(r.slots))
	}
	timeout, max := p.Timeout, p.MaxOutput
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	if max == 0 {
		max = DefaultMaxOutput
	}
	runCtx, cancel := context.WithTimeoutCause(ctx, timeout, ErrTimeout)
	defer cancel()
	killCtx, kill := context.WithCancelCause(runCtx)
	defer kill(nil)

	cmd := exec.CommandContext(killCtx, p.Path, p.Args...)
	cmd.Env = p.Env
	if cmd.Env == nil {
		cmd.Env = []string{} // nil would pass the daemon's environment on
	}
	cmd.Dir = "/"
	cmd.Stdin = bytes.NewReader(input)
	stdout := &limitWriter{max: max, over: func() { kill(ErrOutputTooLarge) }}
	stderr := &limitWriter{max: stderrKeep}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.WaitDelay = waitDelay
	ownGroup(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrNotFound, p.Path, err)
	}
	err := cmd.Wait()
	if cause := context.Cause(killCtx); cause != nil {
		switch {
		case errors.Is(cause, ErrOutputTooLarge):
			return nil, fmt.Errorf("%w: more than %d bytes on stdout", ErrOutputTooLarge, max)
		case errors.Is(cause, ErrTimeout):
			return nil, fmt.Errorf("%w after %v", ErrTimeout, timeout)
		default:
			return nil, cause
		}
	}
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return nil, &ExitError{Code: ee.ExitCode(), Stderr: strings.TrimSpace(stderr.buf.String())}
		}
		return nil, err
	}
	return stdout.buf.Bytes(), nil
}

// limitWriter keeps up to max bytes; past them it calls over, once, and
// drops the rest.
type limitWriter struct {
	buf  bytes.Buffer
	max  int
	over func() // nil: drop silently (stderr)
	done bool
}

func (w *limitWriter) Write(p []byte) (int, error) {
	n := len(p)
	if room := w.max - w.buf.Len(); len(p) > room {
		p = p[:max(room, 0)]
		if !w.done && w.over != nil {
			w.done = true
			w.over()
		}
	}
	w.buf.Write(p)
	return n, nil
}
