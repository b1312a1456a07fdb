package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/p2pcam/p2pcam/discovery"
	"github.com/p2pcam/p2pcam/viewer"
)

// targetsFlag collects --target flags.
type targetsFlag []string

func (t *targetsFlag) String() string     { return strings.Join(*t, ",") }
func (t *targetsFlag) Set(s string) error { *t = append(*t, s); return nil }

// runDiscover lists the cameras on the local networks.
func runDiscover(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("discover", flag.ContinueOnError)
	fs.SetOutput(stderr)
	timeout := fs.Duration("timeout", time.Second, "how long to wait for answers")
	port := fs.Int("port", discovery.DefaultPort, "the cameras' discovery UDP `port`")
	var targets targetsFlag
	fs.Var(&targets, "target", "also probe this `HOST[:PORT]` (a camera across a router); repeatable")
	only := fs.Bool("only-targets", false, "probe only the --target addresses, not the local networks' broadcast addresses")
	asJSON := fs.Bool("json", false, "print the answers as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("discover takes no arguments, only flags")
	}
	if *timeout <= 0 || *timeout > time.Minute {
		return fmt.Errorf("--timeout %v: want more than 0 and at most 1m", *timeout)
	}
	found, err := viewer.Discover(ctx, discovery.BrowseConfig{Targets: targets, Port: *port, NoBroadcast: *only, Timeout: *timeout})
	if err != nil {
		return err
	}
	if *asJSON {
		type camera struct {
			Device     string `json:"device"`
			URL        string `json:"url"`
			NeedsToken bool   `json:"needs_token"`
			Channels   int    `json:"channels"`
		}
		out := []camera{}
		for _, m := range found {
			out = append(out, camera{m.ProductID + "/" + m.DeviceName, m.URL, m.NeedsToken, m.Channels})
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	if len(found) == 0 {
		fmt.Fprintf(stderr, "p2pcam: no camera answered within %v (cameras answer with [discovery] listen set; across a router use --target)\n", *timeout)
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DEVICE\tLAN URL\tTOKEN\tCHANNELS")
	for _, m := range found {
		tok := "no"
		if m.NeedsToken {
			tok = "needed"
		}
		fmt.Fprintf(tw, "%s/%s\t%s\t%s\t%d\n", m.ProductID, m.DeviceName, m.URL, tok, m.Channels)
	}
	return tw.Flush()
}
