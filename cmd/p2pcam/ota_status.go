package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/p2pcam/p2pcam/protocol"
	"github.com/p2pcam/p2pcam/viewer"
)

// otaPoll is how often ota status asks the camera while it follows an
// update.
const otaPoll = 500 * time.Millisecond

// runOTAStatus shows a camera's update status, following it with a
// progress bar until the update is done, fails, or Ctrl-C.
func runOTAStatus(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ota status", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: p2pcam ota status PRODUCT/DEVICE [--once] [--json] [flags]   (the token needs the update permission)")
		fs.PrintDefaults()
	}
	var rf recordFlags
	rf.register(fs, 0, "give up after this long (0: follow until the update ends)")
	once := fs.Bool("once", false, "print the status once; do not follow")
	asJSON := fs.Bool("json", false, "print each status as JSON instead of a progress bar")
	if _, err := rf.parse(fs, args); err != nil {
		return err
	}
	return otaFollow(ctx, &rf, "", *once, *asJSON, stdout, stderr)
}

// runOTAUpdate starts an update on a camera and follows it.
func runOTAUpdate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ota update", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: p2pcam ota update PRODUCT/DEVICE [--url URL [--sha256 HEX] [--size N]] [flags]")
		fmt.Fprintln(stderr, "  without --url the camera takes its product's announced release")
		fs.PrintDefaults()
	}
	var rf recordFlags
	rf.register(fs, 0, "give up following after this long (0: until the update ends)")
	bundle := fs.String("url", "", "the bundle's `URL` (default: the release announced to the camera)")
	sum := fs.String("sha256", "", "the bundle file's SHA-256 (`hex`), checked after the download")
	n := fs.Int64("size", 0, "the bundle's size in `bytes`, the download's limit")
	once := fs.Bool("once", false, "start the update; do not follow it")
	asJSON := fs.Bool("json", false, "print each status as JSON instead of a progress bar")
	if _, err := rf.parse(fs, args); err != nil {
		return err
	}
	cmd := "command?action=inner_define&channel=0&cmd=" + protocol.CmdOTAUpdate
	if *bundle != "" {
		cmd += "&url=" + url.QueryEscape(*bundle)
		if *sum != "" {
			cmd += "&sha256=" + url.QueryEscape(*sum)
		}
		if *n > 0 {
			cmd += "&size=" + strconv.FormatInt(*n, 10)
		}
	}
	return otaFollow(ctx, &rf, cmd, *once, *asJSON, stdout, stderr)
}

// otaFollow sends start (if any), then asks for the status until it is
// final (or once), showing it. It follows through the camera's restart
// into an installed update: while the camera is away it dials again
// until it answers, and then shows the trial and its outcome. It
// returns an error when the update failed or was rolled back.
func otaFollow(ctx context.Context, rf *recordFlags, start string, once, asJSON bool, stdout, stderr io.Writer) error {
	if rf.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, rf.timeout)
		defer cancel()
	}
	cam, done, err := rf.connect(ctx)
	if err != nil {
		return err
	}
	defer func() { done() }()
	show := otaShower(asJSON, stdout, stderr)
	defer show.close()
	req := protocol.OTAStatusRequest
	if start != "" {
		req = start
	}
	t := time.NewTicker(otaPoll)
	defer t.Stop()
	var st protocol.OTAStatus
	for {
		next, err := askOTA(ctx, cam, req)
		switch {
		case err == nil:
			st = next
			req = protocol.OTAStatusRequest
			show.status(st)
			if once || st.Done() {
				show.close()
				if st.Failed() {
					return otaFailure(st)
				}
				return nil
			}
		case ctx.Err() == nil && restarting(st):
			// The camera restarts into the update: dial it again.
			done()
			done = func() {}
			show.away(st)
			if c, d, err := rf.connect(ctx); err == nil {
				cam, done = c, d
			}
		case errors.Is(ctx.Err(), context.Canceled):
			return nil // Ctrl-C: the update goes on on the camera
		default:
			return err
		}
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return fmt.Errorf("gave up following the update (--timeout); it goes on on the camera: %s %d%%", st.State, st.Percent)
			}
			return nil
		case <-t.C:
		}
	}
}

// restarting reports whether the camera may be away restarting after
// st: an update is under way, which restarts the camera once installed
// (and again if its trial fails). Polls are only 500 ms apart, so the
// installed state itself may never be seen.
func restarting(st protocol.OTAStatus) bool {
	return st.State != "" && st.State != protocol.OTAIdle && !st.Done()
}

// otaFailure is the error of a failed or rolled back update.
func otaFailure(st protocol.OTAStatus) error {
	if st.State == protocol.OTARolledBack {
		return fmt.Errorf("update %s rolled back: %s", st.Version, st.Error)
	}
	return fmt.Errorf("update failed: %s", st.Error)
}

// askOTA makes an OTA request and decodes its OTAStatus answer.
func askOTA(ctx context.Context, cam viewer.Requester, req string) (protocol.OTAStatus, error) {
	resp, err := cam.Request(ctx, req)
	if err != nil {
		return protocol.OTAStatus{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, protocol.MaxOTAStatusSize+1))
	if err != nil {
		return protocol.OTAStatus{}, err
	}
	if resp.Status != protocol.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(b, &e)
		return protocol.OTAStatus{}, fmt.Errorf("camera answered status %d: %s", resp.Status, e.Error)
	}
	return protocol.DecodeOTAStatus(b)
}

// otaShow prints statuses: a progress bar while downloading, a line per
// change of state.
type otaShow struct {
	json           bool
	stdout, stderr io.Writer
	bar            *progressbar.ProgressBar
	last           string // the last state printed
}

func otaShower(asJSON bool, stdout, stderr io.Writer) *otaShow {
	return &otaShow{json: asJSON, stdout: stdout, stderr: stderr}
}

func (s *otaShow) status(st protocol.OTAStatus) {
	if s.json {
		b, _ := json.Marshal(st)
		fmt.Fprintf(s.stdout, "%s\n", b)
		return
	}
	if st.State == protocol.OTADownloading && st.Total > 0 {
		if s.bar == nil {
			s.bar = progressbar.NewOptions64(st.Total,
				progressbar.OptionSetWriter(s.stderr),
				progressbar.OptionSetDescription("downloading "+st.Version),
				progressbar.OptionShowBytes(true),
				progressbar.OptionThrottle(100*time.Millisecond),
			)
		}
		_ = s.bar.Set64(st.Bytes)
		s.last = st.State
		return
	}
	if st.State == s.last {
		return
	}
	if s.bar != nil {
		if st.State != protocol.OTAFailed {
			_ = s.bar.Finish()
		}
		fmt.Fprintln(s.stderr)
		s.bar = nil
	}
	s.last = st.State
	line := fmt.Sprintf("%s: running %s", st.State, st.Running)
	if st.Version != "" {
		line += ", release " + st.Version
	}
	if st.Total > 0 {
		line += fmt.Sprintf(", %s of %s (%d%%)", size(st.Bytes), size(st.Total), st.Percent)
	}
	if st.Error != "" {
		line += "\n  error: " + st.Error
	}
	if st.Note != "" {
		line += "\n  " + st.Note
	}
	fmt.Fprintln(s.stdout, line)
}

// away says, once per restart, that the camera is away.
func (s *otaShow) away(st protocol.OTAStatus) {
	if s.json || s.last == "away" {
		return
	}
	s.last = "away"
	fmt.Fprintf(s.stdout, "away: the camera does not answer (restarting into %s?); waiting for it\n", st.Version)
}

func (s *otaShow) close() {
	if s.bar != nil {
		fmt.Fprintln(s.stderr)
		s.bar = nil
	}
}
