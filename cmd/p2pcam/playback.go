package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/term"

	"github.com/p2pcam/p2pcam/viewer"
)

func runPlayback(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("playback", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: p2pcam playback PRODUCT/DEVICE --from T [--to T] [--seek T] [--speed S] [-o FILE|-] [flags]")
		fmt.Fprintln(stderr, "  T is unix seconds, 2026-12-06T09:30:00 (local), an RFC 3339 time, or -DURATION (before now, e.g. -2h)")
		fmt.Fprintln(stderr, "  Played to stdout (p2pcam playback ... | ffplay -) from a terminal, keys steer it:")
		fmt.Fprintln(stderr, "  "+keyHelp+"; the progress shows on stderr.")
		fs.PrintDefaults()
	}
	var rf recordFlags
	rf.register(fs, 0, "stop after this long (0: at the end of the recordings asked for)")
	rf.registerChannel(fs)
	fromS := fs.String("from", "", "play from this `time` (the keyframe at or before it)")
	toS := fs.String("to", "", "play up to this `time` (default: now)")
	out := fs.String("o", "-", "output `file`; - is stdout (pipe it into ffplay -)")
	speedS := fs.String("speed", "1", "play at this `speed`: 0.5, 1, 2, 4 or 8 (2 and above: keyframes only, no audio)")
	seekS := fs.String("seek", "", "once started, go to this `time` (within --from..--to: a seek back stays possible)")
	keys := fs.Bool("keys", true, "steer with keys when stdin is a terminal and the output is stdout")
	if _, err := rf.parse(fs, args); err != nil {
		return err
	}
	now := time.Now()
	if *fromS == "" {
		return fmt.Errorf("--from is required: where to start playing (p2pcam records lists what there is)")
	}
	from, err := parseTime(*fromS, now)
	if err != nil {
		return fmt.Errorf("--from: %w", err)
	}
	to := now
	if *toS != "" {
		if to, err = parseTime(*toS, now); err != nil {
			return fmt.Errorf("--to: %w", err)
		}
	}
	if to.Before(from) {
		return fmt.Errorf("--to %v is before --from %v", to, from)
	}
	speed, err := strconv.ParseFloat(*speedS, 64)
	if err != nil || !slices.Contains(keySpeeds[:], speed) {
		return fmt.Errorf("--speed %q: want 0.5, 1, 2, 4 or 8", *speedS)
	}
	var seek time.Time
	if *seekS != "" {
		if seek, err = parseTime(*seekS, now); err != nil {
			return fmt.Errorf("--seek: %w", err)
		}
		if seek.Before(from.Truncate(time.Second)) || seek.After(to) {
			return fmt.Errorf("--seek %v is outside --from %v .. --to %v", seek.Format(time.RFC3339), from.Format(time.RFC3339), to.Format(time.RFC3339))
		}
	}
	w, closeOut, err := flvOutput(*out, stdout, "p2pcam playback")
	if err != nil {
		return err
	}
	defer closeOut()
	if rf.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, rf.timeout)
		defer cancel()
	}
	start := time.Now()
	r, done, err := rf.connect(ctx)
	if err != nil {
		return err
	}
	defer done()
	body, err := viewer.Playback(ctx, r, from, to)
	if err != nil {
		return err
	}
	defer body.Close()
	stop := context.AfterFunc(ctx, func() { body.Close() })
	defer stop()
	if !seek.IsZero() {
		if _, err := viewer.PlaybackSeek(ctx, r, seek); err != nil {
			return fmt.Errorf("--seek: %w", err)
		}
	}
	if speed != 1 {
		if _, err := viewer.PlaybackSpeed(ctx, r, speed); err != nil {
			return fmt.Errorf("--speed: %w", err)
		}
	}
	stopKeys := func() {}
	var quit atomic.Bool // q typed: the end the user asked for
	if *keys && *out == "-" && term.IsTerminal(int(os.Stdin.Fd())) {
		kctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			playbackKeys(kctx, r, os.Stdin, stderr, func() { quit.Store(true); body.Close() })
		}()
		stopKeys = sync.OnceFunc(func() { cancel(); <-done })
		defer stopKeys()
	}
	n, err := io.Copy(w, body)
	stopKeys() // the terminal back to normal before the last line
	fmt.Fprintf(stderr, "p2pcam: played %d bytes in %v\n", n, time.Since(start).Round(time.Millisecond))
	if ctx.Err() != nil || quit.Load() {
		return nil // the timeout is up, interrupted, or q
	}
	return err
}
