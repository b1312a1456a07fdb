package agent

import (
	"context"
	"fmt"
	"time"

	"github.com/p2pcam/p2pcam/codec/aac"
	"github.com/p2pcam/p2pcam/codec/g711"
	"github.com/p2pcam/p2pcam/codec/pcm"
	"github.com/p2pcam/p2pcam/media"
	"github.com/p2pcam/p2pcam/stream"
)

// pcmaInfo describes the audio of WebRTC tracks: G.711 A-law, 8 kHz mono.
var pcmaInfo = &media.AudioInfo{Codec: media.CodecG711A, SampleRate: 8000, Channels: 1}

// newPCMAHub returns the hub of the microphone as PCMA for media tracks,
// transcoded once for every track viewer, or nil when audio is off.
func newPCMAHub(cfg Config, audio *stream.Hub) (*stream.Hub, error) {
	if audio == nil {
		return nil, nil
	}
	return stream.New(&pcmaSource{audio: audio}, stream.Config{
		Name:        "ch0/audio-pcma",
		IdleTimeout: cfg.Stream.IdleTimeout,
		Clock:       cfg.Clock,
		Logger:      cfg.Logger,
	})
}

// pcmaSource turns the microphone hub's frames into G.711 A-law at 8 kHz:
// AAC-LC is decoded and resampled, µ-law recoded, A-law passed on.
type pcmaSource struct {
	audio *stream.Hub
}

func (s *pcmaSource) Run(ctx context.Context, emit func(*media.Frame)) error {
	sub, err := s.audio.Subscribe()
	if err != nil {
		return err
	}
	defer sub.Close()
	var tc pcmaTranscoder
	for {
		f, err := sub.Next(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		out, err := tc.transcode(f)
		if err != nil {
			return err
		}
		if out != nil {
			emit(out)
		}
	}
}

// pcmaTranscoder converts audio frames to PCMA frames. It follows the
// stream's format: a new AudioInfo pointer starts a new decoder.
type pcmaTranscoder struct {
	info *media.AudioInfo
	// delay is the decoder's: what a frame decodes to was heard one
	// frame before the frame's time (TestPCMATranscodeKeepsTime).
	delay time.Duration
	dec   *aac.Decoder
	rs    *pcm.Resampler
	pcm   []int16
	low   []int16
}

// transcode returns f as PCMA, nil for a frame that gives no audio, or
// an error for a stream it cannot decode. A bad AAC frame is skipped.
func (t *pcmaTranscoder) transcode(f *media.Frame) (*media.Frame, error) {
	if f.Kind != media.KindAudio || f.Audio == nil {
		return nil, nil
	}
	switch f.Codec {
	case media.CodecG711A:
		return f, nil
	case media.CodecG711U:
		t.pcm = g711.DecodeULaw(t.pcm[:0], f.Payload)
		return &media.Frame{Kind: media.KindAudio, Codec: media.CodecG711A, Key: true, PTS: f.PTS,
			Payload: g711.EncodeALaw(nil, t.pcm), Audio: pcmaInfo}, nil
	case media.CodecAAC:
	default:
		return nil, fmt.Errorf("agent: cannot transcode %v audio to PCMA", f.Codec)
	}
	if f.Audio != t.info {
		cfg, err := aac.ParseAudioSpecificConfig(f.Audio.Config)
		if err != nil {
			return nil, fmt.Errorf("agent: microphone AAC config: %w", err)
		}
		if t.dec, err = aac.NewDecoder(cfg); err != nil {
			return nil, fmt.Errorf("agent: microphone AAC: %w", err)
		}
		t.info = f.Audio
		t.rs = pcm.NewResampler(cfg.SampleRate, cfg.Channels, pcmaInfo.SampleRate, 1)
		t.delay = time.Duration(aac.SamplesPerFrame) * time.Second / time.Duration(cfg.SampleRate)
	}
	var err error
	if t.pcm, err = t.dec.Decode(t.pcm[:0], f.Payload); err != nil {
		return nil, nil // one bad frame: a gap
	}
	t.low = t.rs.Convert(t.low[:0], t.pcm)
	return &media.Frame{Kind: media.KindAudio, Codec: media.CodecG711A, Key: true, PTS: f.PTS - t.delay,
		Payload: g711.EncodeALaw(nil, t.low), Audio: pcmaInfo}, nil
}
