//go:build linux

package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/p2pcam/p2pcam/capture/alsa"
	"github.com/p2pcam/p2pcam/capture/v4l2"
)

// listDevices prints what --list-devices shows: every V4L2 node (its
// kind, formats with sizes and frame rates, controls) and every ALSA PCM
// device. A part that cannot be listed is reported and the rest still
// printed.
func listDevices(w io.Writer) error {
	var errs []error
	fmt.Fprintln(w, "== V4L2 devices (video: /dev/video*) ==")
	vdevs, err := v4l2.List()
	if err != nil {
		errs = append(errs, err)
		fmt.Fprintf(w, "cannot list: %v\n", err)
	} else if err := v4l2.Describe(w, vdevs); err != nil {
		return err
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "== ALSA PCM devices (audio) ==")
	adevs, err := alsa.List()
	if err != nil {
		errs = append(errs, err)
		fmt.Fprintf(w, "cannot list all: %v\n", err)
	}
	if err := alsa.Describe(w, adevs); err != nil {
		return err
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "A camera serves a stream through a source spec in the config's [streams], e.g.")
	fmt.Fprintln(w, `  high = "v4l2:/dev/video0?width=1280&height=720&fps=30&format=h264"                      (camera encodes)`)
	fmt.Fprintln(w, `  high = "v4l2:/dev/video0?width=1280&height=720&fps=30&format=yuyv&encoder=/dev/video11"  (M2M encoder)`)
	fmt.Fprintln(w, `  high = "v4l2:/dev/video0?width=640&height=360&fps=15&format=yuyv&encoder=x264"           (libx264, -tags x264 build)`)
	return errors.Join(errs...)
}
