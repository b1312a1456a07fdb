package capture

// BitrateSetter is a source whose encoder's target bit rate can change
// while it runs, for congestion control: step down when viewers' send
// buffers stay full, back up when they drain. The V4L2 camera source
// (v4l2cam.Source) is one.
type BitrateSetter interface {
	// SetBitrate sets the target in bits per second. It applies at once
	// when the source runs, and to the next run otherwise. It fails with
	// ErrNotSupported when the encoder has no bit rate control (most UVC
	// H.264 cameras).
	SetBitrate(bps int) error
}

// KeyframeForcer is a source that can be asked for an IDR frame, so that
// a viewer who lost frames gets a clean picture at once.
type KeyframeForcer interface {
	// ForceKeyframe asks the encoder for an IDR as soon as possible. It
	// fails with ErrNotRunning when the source is not running (its next
	// run starts with an IDR anyway), and with ErrNotSupported when the
	// encoder cannot be asked.
	ForceKeyframe() error
}
