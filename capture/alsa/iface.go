//go:build linux

package alsa

// Capturer is what a capture source needs of a microphone: *PCM opened
// for Capture implements it, and so do the fakes of package alsatest.
type Capturer interface {
	// Read fills buf with interleaved frames, blocking until it is
	// full, and returns how many frames it read.
	Read(buf []int16) (frames int, err error)
	// Params returns the parameters the device runs with.
	Params() Params
	// Delay returns how many frames were captured and are not read
	// yet: how long ago, at the rate, the next Read's first frame was
	// captured.
	Delay() (frames int, err error)
	// Close stops capturing and unblocks a pending Read.
	Close() error
}

// Player is what talkback needs of a speaker: *PCM opened for Playback
// implements it, and so do the fakes of package alsatest.
type Player interface {
	// Write queues the interleaved frames of buf, blocking while the
	// device's buffer is full, and returns how many frames it queued.
	Write(buf []int16) (frames int, err error)
	// Params returns the parameters the device runs with.
	Params() Params
	// Delay returns how many frames written are still to be heard.
	Delay() (frames int, err error)
	// Drain waits until every frame written has been heard.
	Drain() error
	// Close stops playing (dropping what is queued: Drain first to
	// hear it) and unblocks a pending Write or Drain.
	Close() error
}
