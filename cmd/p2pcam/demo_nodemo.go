//go:build nodemo

package main

import (
	"context"
	"errors"
	"io"
)

// The shipped viewer CLI (scripts/cross-build.sh builds it with -tags
// nodemo) leaves the demo out, and with it the whole camera it runs.
func init() {
	commands = append(commands, command{"demo", "not in this build: run `go run ./cmd/p2pcam demo` from the source tree", runDemo})
}

func runDemo(context.Context, []string, io.Writer, io.Writer) error {
	return errors.New("this p2pcam was built without the demo (-tags nodemo, as scripts/cross-build.sh builds it): run `go run ./cmd/p2pcam demo` from the source tree")
}
