//go:build !x264 || !cgo

package x264

import "image"

// Built reports whether this binary has the encoder.
const Built = false

// Encoder is a libx264 encoder; this build has none.
type Encoder struct{}

// New fails with ErrNotBuilt: this binary was built without -tags x264
// (or without cgo).
func New(cfg Config) (*Encoder, error) {
	if _, err := cfg.withDefaults(); err != nil {
		return nil, err
	}
	return nil, ErrNotBuilt
}

// Encode fails with ErrNotBuilt.
func (e *Encoder) Encode(pic *image.YCbCr, keyframe bool) ([]byte, error) { return nil, ErrNotBuilt }

// SetBitrate fails with ErrNotBuilt.
func (e *Encoder) SetBitrate(bps int) error { return ErrNotBuilt }

// Close does nothing.
func (e *Encoder) Close() error { return nil }
