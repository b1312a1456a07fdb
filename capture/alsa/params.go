//go:build linux

package alsa

import (
	"fmt"
	"time"
)

// Direction says whether a PCM captures or plays.
type Direction int

// Directions.
const (
	Capture  Direction = iota // frames flow from the device (microphone)
	Playback                  // frames flow to the device (speaker)
)

// String returns "capture" or "playback".
func (d Direction) String() string {
	switch d {
	case Capture:
		return "capture"
	case Playback:
		return "playback"
	}
	return fmt.Sprintf("Direction(%d)", int(d))
}

// Format is a sample format.
type Format int

// Sample formats. Only S16 is supported: signed 16-bit samples in the
// machine's byte order, which is S16_LE on every port p2pcam builds
// for (S16_BE on big-endian ones), so that an []int16 holds them as is.
const (
	S16 Format = iota
)

// String returns the ALSA name of the format.
func (f Format) String() string {
	if f == S16 {
		return "S16"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// Bytes returns the size of one sample.
func (f Format) Bytes() int { return 2 }

// Defaults for the zero fields of Params.
const (
	DefaultRate     = 48000
	DefaultChannels = 1
	DefaultPeriod   = 20 * time.Millisecond
	DefaultPeriods  = 4
)

// Params are the stream parameters asked of Open, and those the device
// chose, as PCM.Params returns them. Zero fields take the defaults:
// DefaultRate, DefaultChannels, a period of DefaultPeriod at the rate
// the device chose, and a buffer of DefaultPeriods periods.
type Params struct {
	// Rate is the sample rate in frames per second.
	Rate int
	// Channels is the number of interleaved samples in a frame.
	Channels int
	// Format is the sample format; S16 is the only one.
	Format Format
	// PeriodFrames is how many frames the device moves between two
	// interrupts: the latency of a Read or Write that waits.
	PeriodFrames int
	// BufferFrames is the size of the device's ring buffer: how long a
	// capture may go unread before it overruns, and how much playback
	// may be queued. Asked-for PeriodFrames and BufferFrames count frames
	// at the asked Rate; on a device that runs at another rate they are
	// scaled to last as long.
	BufferFrames int
	// StartFrames is, for playback, how many frames must be queued
	// before the device starts playing; 0 means a full buffer. A
	// capture starts with the first Read and ignores it.
	StartFrames int
}

// String describes the parameters as aplay does.
func (p Params) String() string {
	return fmt.Sprintf("%s, %d Hz, %d channel(s), period %d frames, buffer %d frames",
		p.Format, p.Rate, p.Channels, p.PeriodFrames, p.BufferFrames)
}

// FrameBytes returns the size of one frame.
func (p Params) FrameBytes() int { return p.Channels * p.Format.Bytes() }

// Duration returns how long n frames last at p.Rate.
func (p Params) Duration(frames int) time.Duration {
	if p.Rate <= 0 {
		return 0
	}
	return time.Duration(int64(frames) * int64(time.Second) / int64(p.Rate))
}

// Frames returns how many whole frames last d at p.Rate.
func (p Params) Frames(d time.Duration) int {
	return int(int64(d) * int64(p.Rate) / int64(time.Second))
}

// validate checks a request for what no device can do.
func (p Params) validate() error {
	switch {
	case p.Rate < 0, p.Channels < 0, p.PeriodFrames < 0, p.BufferFrames < 0, p.StartFrames < 0:
		return fmt.Errorf("%w: negative parameter in %+v", ErrUnsupported, p)
	case p.Format != S16:
		return fmt.Errorf("%w: format %v (only S16)", ErrUnsupported, p.Format)
	case p.Rate > 1<<24, p.Channels > 1024, p.PeriodFrames > 1<<30, p.BufferFrames > 1<<30:
		return fmt.Errorf("%w: parameter out of range in %+v", ErrUnsupported, p)
	}
	return nil
}
