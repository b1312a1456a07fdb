package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/p2pcam/p2pcam/protocol"
	"github.com/p2pcam/p2pcam/viewer"
)

func init() {
	commands = append(commands, command{"status", "show what a camera is doing: viewers, streams, talkback, broker (over P2P, or --lan URL)", runStatus})
}

func runStatus(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: p2pcam status [flags] [PRODUCT/DEVICE]   (over P2P, flags as for p2pcam cmd)")
		fmt.Fprintln(stderr, "       p2pcam status --lan http://HOST:8080 [--token T]")
		fs.PrintDefaults()
	}
	var cf connFlags
	cf.register(fs)
	lan := fs.String("lan", "", "ask a camera in LAN mode at this `URL` (http://HOST:PORT) instead of over P2P")
	asJSON := fs.Bool("json", false, "print the camera's JSON answer instead of tables")
	timeout := fs.Duration("timeout", 20*time.Second, "give up after this long")
	// The device may come first: p2pcam status acme/cam1 --json.
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		args = append(args[1:len(args):len(args)], args[0])
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch fs.NArg() {
	case 0:
	case 1:
		cf.device = fs.Arg(0)
	default:
		return fmt.Errorf("want at most one camera, PRODUCT/DEVICE; got %q", fs.Args())
	}
	if *lan == "" && cf.device == "" {
		return fmt.Errorf("which camera? p2pcam status PRODUCT/DEVICE (or --device, $P2PCAM_DEVICE) over P2P, or p2pcam status --lan http://HOST:PORT")
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	var camera viewer.Requester
	if *lan != "" {
		cf.secretsFromEnv()
		camera = &viewer.LAN{Base: *lan, Token: cf.token}
	} else {
		conn, err := cf.dial(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		camera = conn
	}
	body, err := askStatus(ctx, camera)
	if err != nil {
		return err
	}
	r, err := protocol.DecodeReport(body)
	if err != nil {
		return err
	}
	if *asJSON {
		var out bytes.Buffer
		if err := json.Indent(&out, bytes.TrimSpace(body), "", "  "); err != nil {
			return err
		}
		out.WriteByte('\n')
		_, err := stdout.Write(out.Bytes())
		return err
	}
	printReport(stdout, r)
	return nil
}

// askStatus asks camera (over P2P, or in LAN mode) for its status.
func askStatus(ctx context.Context, camera viewer.Requester) ([]byte, error) {
	resp, err := camera.Request(ctx, protocol.StatusRequest)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return readReport(resp.Body, resp.Status == protocol.StatusOK, fmt.Sprintf("status %d", resp.Status))
}

// readReport reads a status answer, refusing one beyond the size limit,
// or one that is not OK (status names its status), with what the camera
// said.
func readReport(r io.Reader, ok bool, status string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, protocol.MaxReportSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > protocol.MaxReportSize {
		return nil, fmt.Errorf("the camera's answer exceeds %d bytes", protocol.MaxReportSize)
	}
	if !ok {
		return nil, fmt.Errorf("camera answered %s: %s", status, bytes.TrimSpace(b))
	}
	return b, nil
}

// printReport prints a camera's status as tables.
func printReport(w io.Writer, r protocol.Report) {
	name := r.Device
	if name == "" {
		name = "camera"
	}
	fmt.Fprintf(w, "%s: board %s, %s, up %s\n", name, r.Board, r.Agent, ago(r.Time, r.Started))
	b := r.Broker
	switch {
	case !b.Enabled:
		fmt.Fprintln(w, "broker:   none (P2P off)")
	case b.Connected:
		fmt.Fprintf(w, "broker:   %s connected since %s, %d reconnects\n", b.URL, when(r.Time, b.Since), b.Reconnects)
	default:
		fmt.Fprintf(w, "broker:   %s NOT connected since %s, %d failed attempts\n", b.URL, when(r.Time, b.Since), b.Failures)
	}
	if b.LastError != "" {
		fmt.Fprintf(w, "          last error %s: %s\n", when(r.Time, b.LastErrorAt), b.LastError)
	}
	t := r.Talkback
	switch t.State {
	case protocol.TalkbackTalking:
		fmt.Fprintf(w, "talkback: %s talking since %s\n", t.Who, when(r.Time, t.Since))
	default:
		fmt.Fprintf(w, "talkback: %s\n", t.State)
	}

	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STREAM\tSTATE\tSIZE\tFPS\tBITRATE\tSUBSCRIBERS\tDROPPED")
	for _, s := range r.Streams {
		size := "-"
		if s.Width > 0 {
			size = fmt.Sprintf("%dx%d", s.Width, s.Height)
		}
		state := s.State
		if s.Error != "" {
			state += ": " + s.Error
		}
		rate := bitrate(s.Bitrate)
		if s.TargetBPS > 0 {
			rate += " (target " + bitrate(int64(s.TargetBPS)) + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.1f\t%s\t%d\t%d\n", s.Quality, state, size, s.FPS, rate, s.Subscribers, s.DroppedFrames)
	}
	tw.Flush()

	fmt.Fprintln(w)
	fmt.Fprintf(w, "VIEWERS: %d of at most %d (P2P sessions: %d)\n", len(r.Viewers), r.MaxViewers, r.P2PSessions)
	if len(r.Viewers) == 0 {
		return
	}
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "WHO\tTRANSPORT\tPATH\tKIND\tQUALITY\tBITRATE\tBYTES\tSINCE")
	for _, v := range r.Viewers {
		path := v.Path
		if path == "" {
			path = "-"
		}
		q := v.Quality
		if q == "" {
			q = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", v.Who, v.Transport, path, v.Kind, q, bitrate(v.BitrateBPS), size(v.Bytes), when(r.Time, v.Since))
	}
	tw.Flush()
}

// bitrate formats bits per second.
func bitrate(bps int64) string {
	switch {
	case bps >= 1_000_000:
		return fmt.Sprintf("%.1f Mbit/s", float64(bps)/1e6)
	case bps >= 1000:
		return fmt.Sprintf("%d kbit/s", bps/1000)
	}
	return fmt.Sprintf("%d bit/s", bps)
}

// size formats a byte count.
func size(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// when formats t as a time of day and how long before now it was, both
// on the camera's clock.
func when(now, t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return fmt.Sprintf("%s (%s ago)", t.Local().Format("15:04:05"), ago(now, t))
}

// ago is now - t, rounded to what a reader needs.
func ago(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < 0:
		return "0s"
	case d < time.Minute:
		return d.Round(time.Second).String()
	}
	return strings.TrimSuffix(d.Round(time.Minute).String(), "0s")
}
