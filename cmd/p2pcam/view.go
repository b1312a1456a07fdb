package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/term"

	"github.com/p2pcam/p2pcam/link"
	"github.com/p2pcam/p2pcam/media"
	"github.com/p2pcam/p2pcam/protocol"
	"github.com/p2pcam/p2pcam/viewer"
	"github.com/p2pcam/p2pcam/viewer/liveedge"
)

func runView(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("view", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cf connFlags
	cf.register(fs)
	quality := fs.String("quality", "high", "standard, high or super")
	channel := fs.Int("channel", 0, "the camera's `channel`: 0, or an NVR's camera (p2pcam cmd ... 'cmd=get_nvr_list' lists them)")
	out := fs.String("o", "-", "output `file`; - is stdout (pipe it into ffplay -)")
	duration := fs.Duration("duration", 0, "stop after this long (0: until interrupted)")
	maxLag := registerMaxLag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if _, err := media.ParseQuality(*quality); err != nil {
		return fmt.Errorf("--quality: %w", err)
	}
	if *channel < 0 || *channel > protocol.MaxChannel {
		return fmt.Errorf("--channel %d: want 0 to %d", *channel, protocol.MaxChannel)
	}
	w, closeOut, err := flvOutput(*out, stdout, "p2pcam view")
	if err != nil {
		return err
	}
	defer closeOut()
	if *duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *duration)
		defer cancel()
	}
	start := time.Now()
	conn, err := cf.dial(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if p, err := conn.Path(); err == nil {
		fmt.Fprintf(stderr, "p2pcam: connected to %s in %v, path %s (%s)\n", cf.device, time.Since(start).Round(time.Millisecond), p.Kind(), p.RemoteAddr)
	}
	resp, err := viewer.LiveResponse(ctx, conn, *channel, media.Quality(*quality), conn.Token())
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.Head.Location != "" {
		fmt.Fprintf(stderr, "p2pcam: the camera serves its maximum of viewers: playing from its relay, %s\n", resp.Head.Location)
	}
	if resp.Status != protocol.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("camera refused: status %d: %s", resp.Status, b)
	}
	if resp.Head.Quality != "" {
		fmt.Fprintf(stderr, "p2pcam: the camera serves %s instead\n", resp.Head.Quality)
	}
	go func() {
		select {
		case <-ctx.Done():
		case <-conn.Done():
		}
		resp.Body.Close()
	}()
	var body io.Reader = resp.Body
	var edge *liveedge.Reader
	if *out != "-" && !flagSet(fs, "max-lag") {
		*maxLag = 0 // a recording keeps every frame unless told otherwise
	}
	if *maxLag > 0 {
		edge = liveedge.NewReader(resp.Body)
		edge.MaxLag = *maxLag
		body = edge
	}
	n, err := io.Copy(w, body)
	fmt.Fprintf(stderr, "p2pcam: %d bytes in %v\n", n, time.Since(start).Round(time.Millisecond))
	if edge != nil {
		st := edge.Stats()
		fmt.Fprintf(stderr, "p2pcam: live edge: %d late frames dropped in %d skips (%d gave up waiting), worst lag passed %v\n",
			st.Dropped, st.Skips, st.Rebases, st.WorstLag.Round(time.Millisecond))
	}
	if ctx.Err() != nil {
		return nil // the duration is up, or interrupted
	}
	return liveEnded(err, conn.Done(), conn.Err)
}

// liveEnded says why a live stream ended by itself (a live stream runs
// until the viewer stops it, so the camera or the connection ended it),
// given the copy's error, whether the session is gone and why. A write
// error (the player quit) is returned as it is.
func liveEnded(err error, session <-chan struct{}, why func() error) error {
	if errors.Is(err, link.ErrStreamEnded) {
		return err
	}
	select {
	case <-session:
		if errors.Is(why(), viewer.ErrCameraClosed) {
			return fmt.Errorf("%w: it closed the connection (it stopped or restarted)", link.ErrStreamEnded)
		}
		return fmt.Errorf("%w: the connection to it dropped", link.ErrStreamEnded)
	default:
	}
	if err == nil {
		return fmt.Errorf("%w: it closed the stream", link.ErrStreamEnded)
	}
	return err
}

func runCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cmd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cf connFlags
	cf.register(fs)
	timeout := fs.Duration("timeout", 20*time.Second, "give up after this long")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("want one command, e.g. 'action=inner_define&channel=0&cmd=get_device_st&type=live'")
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	conn, err := cf.dial(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	resp, err := conn.Request(ctx, "command?"+fs.Arg(0))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(stdout, resp.Body); err != nil {
		return err
	}
	if resp.Status != protocol.StatusOK {
		return fmt.Errorf("camera answered status %d", resp.Status)
	}
	return nil
}

// registerMaxLag adds the live-edge flag of view and serve.
func registerMaxLag(fs *flag.FlagSet) *time.Duration {
	return fs.Duration("max-lag", liveedge.DefaultMaxLag, "drop live frames that arrive later than this, up to the next keyframe on time (0: keep every frame; view -o FILE keeps every frame unless this is given)")
}

// flagSet reports whether the command line set the flag name.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// flvOutput opens the FLV output of view and playback: the file out, or
// stdout for "-", which must not be a terminal (cmd names the command in
// the hint).
func flvOutput(out string, stdout io.Writer, cmd string) (io.Writer, func(), error) {
	if out != "-" {
		f, err := os.Create(out)
		if err != nil {
			return nil, nil, err
		}
		return f, func() { f.Close() }, nil
	}
	if isTerminal(stdout) {
		return nil, nil, fmt.Errorf("refusing to write binary FLV to a terminal: pipe it (%s ... | ffplay -) or give -o FILE", cmd)
	}
	return stdout, func() {}, nil
}

// isTerminal reports whether w is a terminal, which binary output would
// garble.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
