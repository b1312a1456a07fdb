package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"testing"

	"github.com/p2pcam/p2pcam/link"
	"github.com/p2pcam/p2pcam/viewer"
)

func TestFlagSet(t *testing.T) {
	for _, c := range []struct {
		args []string
		want bool
	}{
		{nil, false},
		{[]string{"-o", "rec.flv"}, false},
		{[]string{"--max-lag", "800ms"}, true},
		{[]string{"-max-lag=0"}, true},
	} {
		fs := flag.NewFlagSet("view", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		fs.String("o", "-", "")
		registerMaxLag(fs)
		if err := fs.Parse(c.args); err != nil {
			t.Fatal(err)
		}
		if got := flagSet(fs, "max-lag"); got != c.want {
			t.Errorf("%q: max-lag set = %v, want %v", c.args, got, c.want)
		}
	}
}

// A live stream that ends by itself says who ended it.
func TestLiveEnded(t *testing.T) {
	open, gone := make(chan struct{}), make(chan struct{})
	close(gone)
	broken := errors.New("write |1: broken pipe")
	ended := fmt.Errorf("%w: it closed the connection (it stopped or restarted)", link.ErrStreamEnded)
	lost := func() error { return viewer.ErrConnectionLost }
	closed := func() error { return viewer.ErrCameraClosed }
	for _, c := range []struct {
		name    string
		err     error
		session chan struct{}
		why     func() error
		want    string
	}{
		{"the camera closed the channel", nil, open, lost, "the camera ended the stream: it closed the stream"},
		{"the camera aborted the session", ended, open, lost, ended.Error()},
		{"the camera closed the session", io.ErrClosedPipe, gone, closed, ended.Error()},
		{"the session dropped", nil, gone, lost, "the camera ended the stream: the connection to it dropped"},
		{"the session dropped, read after close", io.ErrClosedPipe, gone, lost, "the camera ended the stream: the connection to it dropped"},
		{"the player quit", broken, open, lost, broken.Error()},
	} {
		if got := liveEnded(c.err, c.session, c.why); got == nil || got.Error() != c.want {
			t.Errorf("%s: %v, want %q", c.name, got, c.want)
		}
	}
}
