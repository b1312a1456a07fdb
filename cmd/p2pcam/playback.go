package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/p2pcam/p2pcam/viewer"
)

func runPlayback(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("playback", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: p2pcam playback PRODUCT/DEVICE --from T [--to T] [-o FILE|-] [flags]")
		fmt.Fprintln(stderr, "  T is unix seconds, 2026-12-06T09:30:00 (local), an RFC 3339 time, or -DURATION (before now, e.g. -2h)")
		fs.PrintDefaults()
	}
	var rf recordFlags
	rf.register(fs, 0, "stop after this long (0: at the end of the recordings asked for)")
	fromS := fs.String("from", "", "play from this `time` (the keyframe at or before it)")
	toS := fs.String("to", "", "play up to this `time` (default: now)")
	out := fs.String("o", "-", "output `file`; - is stdout (pipe it into ffplay -)")
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
	n, err := io.Copy(w, body)
	fmt.Fprintf(stderr, "p2pcam: played %d bytes in %v\n", n, time.Since(start).Round(time.Millisecond))
	if ctx.Err() != nil {
		return nil // the timeout is up, or interrupted
	}
	return err
}
