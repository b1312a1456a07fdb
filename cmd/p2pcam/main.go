// Command p2pcam is the viewer and operator tool of p2pcam.
//
//	p2pcam view  --device P/D --quality high -o out.flv   watch a camera over P2P (-o - for ffplay; --channel N for an NVR's)
//	p2pcam discover [--target HOST] [--json]              list the cameras on the local networks, with their LAN URLs
//	p2pcam cmd   --device P/D 'action=inner_define&channel=0&cmd=get_device_st&type=live'
//	p2pcam records P/D [--month 202612 | --from T --to T]  list recordings, or a month calendar
//	p2pcam playback P/D --from T [--to T] -o rec.flv    play recordings (-o - for ffplay)
//	p2pcam download P/D FILE_NAME [-o FILE] [--mp4]     download a recording, resuming a partial FILE
//	p2pcam serve --device P/D --listen 127.0.0.1:8090     re-serve a camera as local HTTP-FLV
//	p2pcam status P/D                                     what a camera is doing (--lan URL for LAN mode, --json)
//	p2pcam token --device P/D --perm live,command --ttl 1h  sign a token with the key keygen made
//	p2pcam keygen                                         make an issuer key, print its public half
//	p2pcam ota keygen|pack|sign|verify                    make, sign and check OTA bundles (docs/ota.md)
//
// keygen and token keep the issuer key, ota keygen and ota sign the
// release key, and cloud its state, in the per-user config directory
// (~/.config/p2pcam on Linux), never in the current directory; --out,
// --key and --dir choose elsewhere.
//
// The connection flags can come from the environment: P2PCAM_BROKER,
// P2PCAM_USER, P2PCAM_PASSWORD, P2PCAM_DEVICE, P2PCAM_TOKEN, P2PCAM_ICE,
// P2PCAM_CLOUD (log in at a dev cloud for a token instead).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is stamped by scripts/cross-build.sh.
var version = "dev"

type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = []command{
	{"view", "watch a camera over P2P, writing FLV", runView},
	{"discover", "list the cameras on the local networks (LAN discovery)", runDiscover},
	{"cmd", "send a command to a camera and print the answer", runCmd},
	{"records", "list a camera's recordings, or a month calendar of them", runRecords},
	{"playback", "play a camera's recordings from a time, writing FLV", runPlayback},
	{"download", "download a recording (resumable; FLV or MP4)", runDownload},
	{"serve", "re-serve a camera as local HTTP-FLV (a gateway for any player)", runServe},
	{"token", "issue a viewer token", runToken},
	{"keygen", "make a token issuer key", runKeygen},
	{"ota", "make, sign and verify update bundles", runOTA},
}

// errNoCommand is the error of a bare p2pcam: a script that forgot its
// command should not succeed.
var errNoCommand = errors.New("no command given")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	var usage usageError
	switch {
	case errors.As(err, &usage):
		os.Exit(2) // the flag package has said what is wrong, with the usage
	case err != nil:
		fmt.Fprintln(os.Stderr, "p2pcam:", err)
		os.Exit(1)
	}
}

// usageError is a command line the flag package refused; it has printed
// the reason and the usage already.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// parseFlags parses args into fs; a refusal is a usageError (but -h is
// flag.ErrHelp, which run takes as success).
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		return usageError{err}
	}
	return err
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		usage(stderr)
		return errNoCommand
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		return nil
	}
	if args[0] == "--version" || args[0] == "version" {
		fmt.Fprintln(stdout, "p2pcam", version)
		return nil
	}
	for _, c := range commands {
		if c.name == args[0] {
			err := c.run(ctx, args[1:], stdout, stderr)
			if errors.Is(err, flag.ErrHelp) {
				return nil
			}
			return err
		}
	}
	usage(stderr)
	return fmt.Errorf("unknown command %q", args[0])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: p2pcam COMMAND [flags]  (p2pcam COMMAND --help for its flags)")
	fmt.Fprintln(w)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
}
