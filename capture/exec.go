package capture

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"

	"github.com/p2pcam/p2pcam/codec/h264"
	"github.com/p2pcam/p2pcam/internal/clock"
	"github.com/p2pcam/p2pcam/media"
)

// Exec runs a command and reads Annex-B H.264 from its standard output,
// e.g. "rpicam-vid -t 0 --codec h264 --inline -o -". The command runs
// under /bin/sh, so pipelines work. Its standard error is logged line by
// line. When it exits, it is started again after a backoff that doubles
// from MinBackoff to MaxBackoff and resets once a run has lasted
// StableAfter. Frames are stamped with their arrival time.
type Exec struct {
	Command string
	Env     Env
	// MinBackoff defaults to 500ms.
	MinBackoff time.Duration
	// MaxBackoff defaults to 30s.
	MaxBackoff time.Duration
	// StableAfter defaults to 30s.
	StableAfter time.Duration
	// StopGrace is how long the command has to exit after SIGTERM before
	// it is killed. It defaults to 2s.
	StopGrace time.Duration
}

// maxStderrLine bounds one logged line of a command's standard error, so
// that a command printing binary garbage cannot flood the log.
const maxStderrLine = 512

// Run implements Source. It returns only when ctx is done.
func (s *Exec) Run(ctx context.Context, emit func(*media.Frame)) error {
	env := s.Env.WithDefaults()
	log := env.Logger.With("source", "exec", "command", s.Command)
	retry := Backoff{
		Min:    orDuration(s.MinBackoff, 500*time.Millisecond),
		Max:    orDuration(s.MaxBackoff, 30*time.Second),
		Stable: orDuration(s.StableAfter, 30*time.Second),
	}
	var last time.Duration = -1
	for {
		started := env.Clock.Now()
		frames, err := s.runOnce(ctx, env, &last, emit)
		if ctx.Err() != nil {
			return nil
		}
		wait := retry.After(env.Clock.Now().Sub(started))
		log.Warn("capture command exited; restarting", "err", err, "frames", frames, "restart_in", wait)
		if clock.SleepUntil(ctx, env.Clock, env.Clock.Now().Add(wait)) != nil {
			return nil
		}
	}
}

// shellWords are the POSIX shell's keywords and special built-ins: a
// command that starts with one runs what the shell decides.
var shellWords = map[string]bool{
	"!": true, "{": true, "case": true, "for": true, "if": true, "until": true, "while": true,
	".": true, ":": true, "cd": true, "eval": true, "exec": true, "export": true, "readonly": true, "set": true, "trap": true,
}

// Check implements Checker: the command's program is found. A command
// the shell must interpret before it knows (one that starts with a
// variable or a keyword) is taken as it is.
func (s *Exec) Check() error {
	fields := strings.Fields(s.Command)
	if len(fields) == 0 {
		return fmt.Errorf("capture: exec: empty command")
	}
	prog := fields[0]
	if shellWords[prog] || strings.ContainsAny(prog, "=$`(){};&|<>\"'") {
		return nil
	}
	if _, err := exec.LookPath(prog); err != nil {
		return fmt.Errorf("capture: exec %q: %w", prog, err)
	}
	return nil
}

// runOnce runs the command once and returns how many frames it produced
// and why it ended.
func (s *Exec) runOnce(ctx context.Context, env Env, last *time.Duration, emit func(*media.Frame)) (int, error) {
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", s.Command)
	configureProcessGroup(cmd)
	cmd.WaitDelay = orDuration(s.StopGrace, 2*time.Second)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return 0, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return 0, err
	}
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("start capture command: %w", err)
	}
	exited := make(chan struct{})
	defer close(exited)
	go killIfStuck(ctx, cmd, orDuration(s.StopGrace, 2*time.Second), exited)
	logDone := make(chan struct{})
	go func() {
		defer close(logDone)
		logLines(stderr, env, s.Command)
	}()
	frames, readErr := readAnnexB(stdout, env, last, emit)
	// Drain what is left so the command is never blocked on a full pipe
	// while it is being stopped.
	_, _ = io.Copy(io.Discard, stdout)
	<-logDone
	waitErr := cmd.Wait()
	if readErr != nil && !errors.Is(readErr, io.EOF) {
		return frames, readErr
	}
	if waitErr != nil {
		return frames, fmt.Errorf("capture command: %w", waitErr)
	}
	if frames == 0 {
		return 0, ErrNoVideo
	}
	return frames, errors.New("capture command exited")
}

// readAnnexB reads NAL units from r until it ends, stamping each frame
// with its arrival time on the shared time base.
func readAnnexB(r io.Reader, env Env, last *time.Duration, emit func(*media.Frame)) (int, error) {
	nr := h264.NewNALUReader(r)
	var fr Framer
	frames := 0
	stamp := func(f *media.Frame) {
		f.PTS = env.PTS(env.Clock.Now())
		if f.PTS <= *last {
			f.PTS = *last + time.Millisecond
		}
		*last = f.PTS
		emit(f)
		frames++
	}
	for {
		nalu, err := nr.Next()
		if err != nil {
			if errors.Is(err, h264.ErrNALUTooLarge) {
				env.Logger.Warn("skipping oversized NAL unit", "err", err)
				continue
			}
			// The access unit in progress is dropped, not flushed: a
			// command that dies mid-frame leaves it truncated.
			return frames, err
		}
		f, err := fr.Push(nalu)
		if err != nil {
			env.Logger.Warn("skipping access unit", "err", err)
			continue
		}
		if f != nil {
			stamp(f)
		}
	}
}

// killIfStuck kills the command's process group when it has not exited
// within grace of ctx ending (it ignored SIGTERM and keeps its pipes open).
func killIfStuck(ctx context.Context, cmd *exec.Cmd, grace time.Duration, exited <-chan struct{}) {
	select {
	case <-exited:
		return
	case <-ctx.Done():
	}
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-exited:
	case <-t.C:
		killProcessGroup(cmd)
	}
}

func logLines(r io.Reader, env Env, command string) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 64*1024)
	for sc.Scan() {
		line := sc.Text()
		if len(line) > maxStderrLine {
			line = line[:maxStderrLine] + "..."
		}
		env.Logger.Info("capture command says", "command", command, "line", line)
	}
	_, _ = io.Copy(io.Discard, r) // a line over the scanner's limit: keep draining
}

func orDuration(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
