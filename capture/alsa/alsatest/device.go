//go:build linux

package alsatest

import (
	"slices"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/p2pcam/p2pcam/capture/alsa"
)

// Caps are the hardware constraints of a fake Device. Zero fields take
// the defaults of DefaultCaps.
type Caps struct {
	// Access lists the SNDRV_PCM_ACCESS_* values allowed.
	Access []int
	// Formats lists the SNDRV_PCM_FORMAT_* values allowed.
	Formats []int
	// Rates lists the sample rates allowed.
	Rates []int
	// MinChannels and MaxChannels bound the channel count.
	MinChannels, MaxChannels int
	// MinPeriod and MaxPeriod bound the period size in frames, which
	// must also be a multiple of PeriodStep.
	MinPeriod, MaxPeriod, PeriodStep int
	// MinPeriods and MaxPeriods bound the number of periods in the
	// buffer, which is always whole.
	MinPeriods, MaxPeriods int
	// MaxBuffer bounds the buffer size in frames.
	MaxBuffer int
}

// DefaultCaps are those of a forgiving USB-like device: interleaved
// S16_LE, 8 to 48 kHz, one or two channels, any period from 16 frames.
var DefaultCaps = Caps{
	Access:      []int{AccessMmapInterleaved, AccessRWInterleaved},
	Formats:     []int{FormatS16LE},
	Rates:       []int{8000, 16000, 32000, 44100, 48000},
	MinChannels: 1, MaxChannels: 2,
	MinPeriod: 16, MaxPeriod: 1 << 16, PeriodStep: 1,
	MinPeriods: 2, MaxPeriods: 64,
	MaxBuffer: 1 << 18,
}

func (c Caps) withDefaults() Caps {
	d := DefaultCaps
	if c.Access == nil {
		c.Access = d.Access
	}
	if c.Formats == nil {
		c.Formats = d.Formats
	}
	if c.Rates == nil {
		c.Rates = d.Rates
	}
	if c.MinChannels == 0 {
		c.MinChannels = d.MinChannels
	}
	if c.MaxChannels == 0 {
		c.MaxChannels = max(d.MaxChannels, c.MinChannels)
	}
	if c.MinPeriod == 0 {
		c.MinPeriod = d.MinPeriod
	}
	if c.MaxPeriod == 0 {
		c.MaxPeriod = d.MaxPeriod
	}
	if c.PeriodStep == 0 {
		c.PeriodStep = d.PeriodStep
	}
	if c.MinPeriods == 0 {
		c.MinPeriods = d.MinPeriods
	}
	if c.MaxPeriods == 0 {
		c.MaxPeriods = max(d.MaxPeriods, c.MinPeriods)
	}
	if c.MaxBuffer == 0 {
		c.MaxBuffer = d.MaxBuffer
	}
	return c
}

// Device is one fake PCM stream: one direction of one PCM device of a
// card, served at /dev/snd/pcmC{card}D{device}{c,p}. Set its exported
// fields before adding it to a Kernel; use its methods at any time.
type Device struct {
	// Number is the PCM device number on its card.
	Number int
	// Dir is the stream's direction.
	Dir alsa.Direction
	// ID and Name name the PCM device (SNDRV_PCM_IOCTL_INFO).
	ID, Name string
	// Caps are the hardware constraints.
	Caps Caps
	// Source is what a capture stream captures, interleaved at the
	// negotiated channel count; after its end come zeros, or Source
	// again if Loop is set.
	Source []int16
	Loop   bool
	// Speed runs the device's clock faster (2 = twice as fast) or
	// slower than real time; 0 means 1.
	Speed float64
	// CanResume says whether the driver can resume after a suspend
	// (SNDRV_PCM_INFO_RESUME); without it RESUME fails with ENOSYS.
	CanResume bool

	mu    sync.Mutex
	card  int
	open  bool
	gone  bool
	calls []string
	fails map[string]unix.Errno

	s stream
}

// NewMic returns a capture Device that supports only rate and channels,
// and captures samples (interleaved) in real time.
func NewMic(rate, channels int, samples []int16) *Device {
	return &Device{
		Dir: alsa.Capture, ID: "mic", Name: "Fake Microphone",
		Caps:   Caps{Rates: []int{rate}, MinChannels: channels, MaxChannels: channels},
		Source: samples,
	}
}

// NewSpeaker returns a playback Device that supports the given rates and
// channels, and records every frame written to it.
func NewSpeaker(rates []int, channels int) *Device {
	return &Device{
		Dir: alsa.Playback, ID: "speaker", Name: "Fake Speaker",
		Caps: Caps{Rates: slices.Clone(rates), MinChannels: channels, MaxChannels: channels},
	}
}

// record notes a request; d.mu is held.
func (d *Device) record(name string) { d.calls = append(d.calls, name) }

// Calls returns the names of the requests the device saw, in order:
// "open", "close" and the ioctls without their SNDRV_PCM_IOCTL_ prefix
// ("HW_REFINE", "READI_FRAMES", ...).
func (d *Device) Calls() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.calls)
}

// Count returns how many times the device saw request name.
func (d *Device) Count(name string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for _, c := range d.calls {
		if c == name {
			n++
		}
	}
	return n
}

// FailNext makes the next request called name (as in Calls) fail with
// err, once.
func (d *Device) FailNext(name string, err unix.Errno) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.fails == nil {
		d.fails = make(map[string]unix.Errno)
	}
	d.fails[name] = err
}

// takeFail returns the error injected for name, if any; d.mu is held.
func (d *Device) takeFail(name string) error {
	if err, ok := d.fails[name]; ok {
		delete(d.fails, name)
		return err
	}
	return nil
}

// Written returns every sample written to a playback stream so far,
// interleaved.
func (d *Device) Written() []int16 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.s.written)
}

// Config returns the parameters the stream was set up with (zero before
// HW_PARAMS): rate, channels, period and buffer size, and the start
// threshold of the software parameters.
func (d *Device) Config() alsa.Params {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := &d.s
	return alsa.Params{Rate: s.rate, Channels: s.channels, PeriodFrames: s.period, BufferFrames: s.buffer, StartFrames: s.startThreshold}
}

// State returns the stream state, as the SNDRV_PCM_STATE_ name
// ("OPEN", "PREPARED", "RUNNING", "XRUN", ...).
func (d *Device) State() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.s.advance(time.Now())
	return stateNames[d.s.state]
}

// IsOpen reports whether a descriptor of the device is open.
func (d *Device) IsOpen() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.open
}

// XRun makes a running stream overrun (capture) or underrun (playback)
// now: its next transfer fails with EPIPE.
func (d *Device) XRun() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.s.advance(time.Now())
	if d.s.state == stateRunning || d.s.state == statePrepared {
		d.s.stop(stateXRun)
	}
}

// Suspend suspends the stream, as a system suspend does: its transfers
// fail with ESTRPIPE until it is resumed or prepared.
func (d *Device) Suspend() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.s.advance(time.Now())
	switch d.s.state {
	case statePrepared, stateRunning, stateDraining, statePaused:
		d.s.suspended = d.s.state
		d.s.stop(stateSuspended)
	}
}

// Vanish unplugs the device: every request on it fails with ENODEV
// from now on, and poll reports POLLERR|POLLNVAL, as after
// snd_card_disconnect.
func (d *Device) Vanish() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.gone = true
	d.s.state = stateDisconnected
}

// Stall stops (true) or restarts (false) the device's clock: while
// stalled, a running stream neither captures nor plays.
func (d *Device) Stall(stalled bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := time.Now()
	d.s.advance(now)
	d.s.stalled = stalled
	d.s.rebase(now)
}
