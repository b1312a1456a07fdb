package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"golang.org/x/term"

	"github.com/p2pcam/p2pcam/viewer"
)

// progressEvery is how often the progress line is redrawn.
const progressEvery = time.Second

// keyHelp is the progress line's reminder of the keys.
const keyHelp = "space pause · ←/→ 10 s · 1-5 speed 0.5-8x · q quit"

// playbackKeys steers the playback on r from the keys typed on in (a
// terminal, put in raw mode until ctx ends), and draws its progress on
// stderr every second. q or Ctrl-C calls quit. The goroutine reading in
// is left blocked in its read when ctx ends: the command exits next.
func playbackKeys(ctx context.Context, r viewer.Requester, in *os.File, stderr io.Writer, quit func()) {
	fd := int(in.Fd())
	old, err := term.MakeRaw(fd)
	if err != nil {
		fmt.Fprintf(stderr, "p2pcam: no keys (%v)\n", err)
		return
	}
	defer func() {
		_ = term.Restore(fd, old)
		fmt.Fprint(stderr, "\r\n")
	}()
	keys := make(chan []byte)
	go func() {
		buf := make([]byte, 64)
		for {
			n, err := in.Read(buf)
			if err != nil {
				return
			}
			select {
			case keys <- append([]byte(nil), buf[:n]...):
			case <-ctx.Done():
				return
			}
		}
	}()
	var st viewer.PlaybackState
	var note string // the last refusal, shown until the next key
	draw := func() {
		mode := "playing"
		if st.Paused {
			mode = "paused"
		}
		line := "starting…"
		if !st.At.IsZero() {
			line = fmt.Sprintf("%s  %+.1fs  %sx  %s", st.At.Local().Format("2006-01-02 15:04:05"), st.Progress.Seconds(),
				strconv.FormatFloat(st.Speed, 'f', -1, 64), mode)
		}
		if note != "" {
			line += "  (" + note + ")"
		}
		fmt.Fprintf(stderr, "\r\x1b[K%s   [%s]", line, keyHelp)
	}
	apply := func(s viewer.PlaybackState, err error) {
		if err != nil {
			note = err.Error()
			return
		}
		st, note = s, ""
	}
	tick := time.NewTicker(progressEvery)
	defer tick.Stop()
	var rest []byte
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			s, err := viewer.PlaybackProgress(ctx, r)
			if err == nil {
				st = s
			}
		case b := <-keys:
			var acts []keyAction
			acts, rest = parseKeys(append(rest, b...))
			for _, a := range acts {
				switch a.kind {
				case keyQuit:
					quit()
					return
				case keyPause:
					if st.Paused {
						apply(viewer.PlaybackResume(ctx, r))
					} else {
						apply(viewer.PlaybackPause(ctx, r))
					}
				case keySpeed:
					apply(viewer.PlaybackSpeed(ctx, r, a.speed))
				case keySeek:
					if st.At.IsZero() {
						continue
					}
					apply(viewer.PlaybackSeek(ctx, r, st.At.Add(a.seek)))
				}
			}
		}
		draw()
	}
}
