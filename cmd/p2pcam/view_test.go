package main

import (
	"flag"
	"io"
	"testing"
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
