//go:build x264 && cgo

package x264

import (
	"errors"
	"fmt"
	"image"
	"sync"

	"github.com/pion/mediadevices/pkg/codec"
	mdx264 "github.com/pion/mediadevices/pkg/codec/x264"
	"github.com/pion/mediadevices/pkg/io/video"
	"github.com/pion/mediadevices/pkg/prop"
)

// Built reports whether this binary has the encoder.
const Built = true

// Encoder is a running libx264 encoder. Its methods are safe for
// concurrent use; Encode calls are serialised.
type Encoder struct {
	cfg Config

	mu     sync.Mutex // guards every field below
	enc    codec.ReadCloser
	ctl    codec.EncoderController
	next   *image.YCbCr // the picture the encoder's reader hands out
	closed bool
}

// New opens an encoder.
func New(cfg Config) (*Encoder, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	p, err := mdx264.NewParams()
	if err != nil {
		return nil, fmt.Errorf("x264: %w", err)
	}
	p.Preset = mdx264.PresetUltrafast
	p.BitRate = cfg.Bitrate
	p.KeyFrameInterval = cfg.KeyframeInterval
	e := &Encoder{cfg: cfg}
	// mediadevices pulls pictures from a reader; Encode sets the one it
	// gives, under e.mu, just before it asks for the access unit.
	r := video.ReaderFunc(func() (image.Image, func(), error) {
		if e.next == nil {
			return nil, func() {}, errors.New("x264: no picture to encode")
		}
		return e.next, func() {}, nil
	})
	enc, err := p.BuildVideoEncoder(r, prop.Media{Video: prop.Video{Width: cfg.Width, Height: cfg.Height}})
	if err != nil {
		return nil, fmt.Errorf("x264: open encoder %dx%d: %w", cfg.Width, cfg.Height, err)
	}
	e.enc, e.ctl = enc, enc.Controller()
	return e, nil
}

// Encode encodes one I420 picture of the configured size, an IDR when
// keyframe is set, and returns its access unit in Annex-B form (a new
// slice each call). The first access unit is an IDR with SPS and PPS.
func (e *Encoder) Encode(pic *image.YCbCr, keyframe bool) ([]byte, error) {
	if pic.SubsampleRatio != image.YCbCrSubsampleRatio420 || pic.Rect.Dx() != e.cfg.Width || pic.Rect.Dy() != e.cfg.Height {
		return nil, fmt.Errorf("x264: picture %v %v, want 4:2:0 %dx%d", pic.SubsampleRatio, pic.Rect, e.cfg.Width, e.cfg.Height)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, errors.New("x264: encoder is closed")
	}
	if keyframe {
		if kf, ok := e.ctl.(codec.KeyFrameController); ok {
			if err := kf.ForceKeyFrame(); err != nil {
				return nil, fmt.Errorf("x264: force key frame: %w", err)
			}
		}
	}
	e.next = pic
	b, release, err := e.enc.Read()
	e.next = nil
	release()
	if err != nil {
		return nil, fmt.Errorf("x264: encode: %w", err)
	}
	return b, nil
}

// SetBitrate changes the target bit rate (bits per second) from the
// next picture on.
func (e *Encoder) SetBitrate(bps int) error {
	if bps < 1000 {
		return fmt.Errorf("x264: bit rate %d is below 1 kbit/s", bps)
	}
	bc, ok := e.ctl.(codec.BitRateController)
	if !ok {
		return errors.New("x264: this encoder cannot change its bit rate")
	}
	// mediadevices' SetBitRate takes the encoder's own lock; ours keeps
	// it off a closed encoder.
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return errors.New("x264: encoder is closed")
	}
	if err := bc.SetBitRate(bps); err != nil {
		return fmt.Errorf("x264: set bit rate %d: %w", bps, err)
	}
	return nil
}

// Close frees the encoder. Closing twice is harmless.
func (e *Encoder) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil
	}
	e.closed = true
	return e.enc.Close()
}
