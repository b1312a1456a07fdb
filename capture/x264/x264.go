// Package x264 encodes I420 pictures to H.264 with libx264, for raw
// cameras on boards without a hardware encoder. It wraps the x264 codec
// of github.com/pion/mediadevices (cgo; pkg-config x264) and is built
// only with the x264 build tag:
//
//	go build -tags x264 ./cmd/p2pcamd              (needs libx264-dev)
//	scripts/cross-build.sh --x264 --only arm64     (arm64, dynamically linked)
//
// Without the tag (the default, static builds) [New] fails with
// [ErrNotBuilt], which tells the user which build to take.
//
// The encoder runs x264's ultrafast preset tuned for zero latency: no
// B-frames, no lookahead (each picture in gives its access unit out at
// once), sliced threads, SPS and PPS before every IDR, Annex-B output.
// Rate control is ABR at the configured bit rate with a VBV of twice
// that, reconfigurable while it runs ([Encoder.SetBitrate]).
package x264

import (
	"errors"
	"fmt"
)

// ErrNotBuilt means this binary was built without the x264 tag (or
// without cgo), so it has no software encoder.
var ErrNotBuilt = errors.New("this p2pcamd was built without x264: use the -tags x264 build (scripts/cross-build.sh --x264)")

// Config is an encoder's settings.
type Config struct {
	// Width and Height are the picture size; both even.
	Width, Height int
	// Bitrate is the target in bits per second. It defaults to 1 Mbps.
	Bitrate int
	// KeyframeInterval is the number of frames from one IDR to the
	// next. It defaults to 60.
	KeyframeInterval int
}

func (c Config) withDefaults() (Config, error) {
	if c.Width <= 0 || c.Height <= 0 || c.Width%2 != 0 || c.Height%2 != 0 {
		return c, fmt.Errorf("x264: picture size %dx%d: want positive even sides", c.Width, c.Height)
	}
	if c.Bitrate <= 0 {
		c.Bitrate = 1_000_000
	}
	if c.Bitrate < 1000 {
		return c, fmt.Errorf("x264: bit rate %d is below 1 kbit/s", c.Bitrate)
	}
	if c.KeyframeInterval <= 0 {
		c.KeyframeInterval = 60
	}
	return c, nil
}
