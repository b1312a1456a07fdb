package capture

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/p2pcam/p2pcam/capture/alsa"
	"github.com/p2pcam/p2pcam/codec/aac"
	"github.com/p2pcam/p2pcam/codec/g711"
	"github.com/p2pcam/p2pcam/codec/pcm"
	"github.com/p2pcam/p2pcam/internal/clock"
	"github.com/p2pcam/p2pcam/media"
)

// Microphone is where audio comes from: an ALSA capture device, or the
// sim board's synthetic voice.
type Microphone = alsa.Capturer

// Audio defaults: AAC-LC at 16 kHz mono, 32 kbps, the safe choice of
// X-P2P apps.
const (
	DefaultAudioRate    = 16000
	DefaultAudioBitrate = 32000
	// maxAudioSkew is how far audio timestamps, counted in samples, may
	// drift from the clock before they are set back to it.
	maxAudioSkew = 40 * time.Millisecond
)

// Audio captures from a microphone and encodes it, one frame per emit.
// Timestamps count samples from the first one captured, on the agent's
// shared time base, and are pulled back to the clock when the sound
// card's rate drifts more than 40 ms from it: audio stays smooth and in
// step with video.
type Audio struct {
	Name string
	// Open opens the microphone; Run reopens it with backoff when it
	// fails.
	Open func() (Microphone, error)
	// Codec is CodecAAC (the default), CodecG711A or CodecG711U.
	Codec media.Codec
	// Bitrate of AAC; it defaults to 32 kbps.
	Bitrate int
	Env     Env
	// PCM, if set, receives the microphone's samples as they are read,
	// before the encoder: mono at the encoder's rate (rate), stamped
	// with the capture time of the first, evenly as the frames are. It
	// runs on the capture goroutine: it must not block, nor keep
	// samples after it returns. Media tracks take their PCMA from here,
	// without the AAC encoder's and decoder's delay.
	PCM func(pts time.Duration, rate int, samples []int16)
}

// Run implements Source.
func (a *Audio) Run(ctx context.Context, emit func(*media.Frame)) error {
	env := a.Env.WithDefaults()
	log := env.Logger.With("source", a.Name)
	retry := Backoff{Min: audioMinBackoff, Max: audioMaxBackoff, Stable: audioHealthyRun}
	for {
		start := env.Clock.Now()
		err := a.capture(ctx, env, emit)
		if ctx.Err() != nil {
			return nil
		}
		delay := retry.After(env.Clock.Now().Sub(start))
		log.Warn("microphone failed; reopening", "err", err, "reopen_in", delay)
		if clock.SleepUntil(ctx, env.Clock, env.Clock.Now().Add(delay)) != nil {
			return nil
		}
	}
}

// Reopening a failed microphone: the delay doubles from 500 ms to 30 s,
// and resets after a minute of capture.
const (
	audioMinBackoff = 500 * time.Millisecond
	audioMaxBackoff = 30 * time.Second
	audioHealthyRun = time.Minute
)

// audioEncoder codes mono frames of one codec.
type audioEncoder struct {
	info  *media.AudioInfo
	frame int // samples per frame
	aac   *aac.Encoder
}

func newAudioEncoder(codec media.Codec, rate, bitrate int) (*audioEncoder, error) {
	switch codec {
	case media.CodecAAC, 0:
		// Block switching: a knock at the door or a clap without the
		// smear of pre-echo, for one more frame (64 ms) of delay.
		enc, err := aac.NewEncoder(aac.EncoderConfig{SampleRate: rate, Channels: 1, Bitrate: bitrate, BlockSwitching: true})
		if err != nil {
			return nil, err
		}
		asc, err := enc.Config().Marshal()
		if err != nil {
			return nil, err
		}
		return &audioEncoder{aac: enc, frame: aac.SamplesPerFrame,
			info: &media.AudioInfo{Codec: media.CodecAAC, SampleRate: rate, Channels: 1, Config: asc}}, nil
	case media.CodecG711A, media.CodecG711U:
		return &audioEncoder{frame: 160, info: &media.AudioInfo{Codec: codec, SampleRate: 8000, Channels: 1}}, nil
	}
	return nil, fmt.Errorf("capture: audio codec %v is not supported", codec)
}

// encode returns the coded frame; AAC returns nothing for its first
// frames, the encoder's delay and lookahead.
func (e *audioEncoder) encode(s []int16) ([]byte, error) {
	switch e.info.Codec {
	case media.CodecAAC:
		return e.aac.Encode(nil, s)
	case media.CodecG711A:
		return g711.EncodeALaw(nil, s), nil
	}
	return g711.EncodeULaw(nil, s), nil
}

// capture runs one microphone session.
func (a *Audio) capture(ctx context.Context, env Env, emit func(*media.Frame)) error {
	mic, err := a.Open()
	if err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, func() { _ = mic.Close() })
	defer func() {
		if stop() {
			_ = mic.Close()
		}
	}()
	p := mic.Params()
	rate := DefaultAudioRate
	if a.Codec == media.CodecG711A || a.Codec == media.CodecG711U {
		rate = 8000
	}
	enc, err := newAudioEncoder(a.Codec, rate, cmpOr(a.Bitrate, DefaultAudioBitrate))
	if err != nil {
		return err
	}
	rs := pcm.NewResampler(p.Rate, p.Channels, rate, 1)
	in := make([]int16, p.Rate/50*p.Channels) // 20 ms reads
	var pending []int16
	frameDur := time.Duration(enc.frame) * time.Second / time.Duration(rate)
	var next time.Duration // PTS of the next frame to encode
	var queued []time.Duration
	first := true
	var tapNext time.Duration // stamp of the next samples for a.PCM
	tapFirst := true
	for {
		n, err := mic.Read(in)
		if err != nil {
			if errors.Is(err, alsa.ErrClosed) && ctx.Err() != nil {
				return nil
			}
			return err
		}
		now := env.PTS(env.Clock.Now())
		// What the device still holds was captured after what was just
		// read: after a stall, a backlog is read back to back.
		held, _ := mic.Delay()
		unread := time.Duration(held) * time.Second / time.Duration(p.Rate)
		before := len(pending)
		pending = rs.Convert(pending, in[:n])
		if fresh := pending[before:]; a.PCM != nil && len(fresh) > 0 {
			captured := now - unread - time.Duration(len(fresh))*time.Second/time.Duration(rate)
			if tapFirst || absDur(tapNext-captured) > maxAudioSkew {
				tapNext, tapFirst = captured, false
			}
			a.PCM(tapNext, rate, fresh)
			tapNext += time.Duration(len(fresh)) * time.Second / time.Duration(rate)
		}
		for len(pending) >= enc.frame {
			// The frame's first sample was captured this long before now.
			captured := now - unread - time.Duration(len(pending))*time.Second/time.Duration(rate)
			if first || absDur(next-captured) > maxAudioSkew {
				next, first = captured, false
			}
			queued = append(queued, next)
			next += frameDur
			payload, err := enc.encode(pending[:enc.frame])
			pending = append(pending[:0], pending[enc.frame:]...)
			if err != nil {
				return err
			}
			if len(payload) == 0 {
				continue
			}
			pts := queued[0]
			queued = queued[1:]
			emit(&media.Frame{Kind: media.KindAudio, Codec: enc.info.Codec, Key: true, PTS: pts, Payload: payload, Audio: enc.info})
		}
	}
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

func cmpOr(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}
