package viewer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/p2pcam/p2pcam/codec/aac"
	"github.com/p2pcam/p2pcam/codec/g711"
	"github.com/p2pcam/p2pcam/codec/pcm"
	"github.com/p2pcam/p2pcam/media"
	"github.com/p2pcam/p2pcam/mux/flv"
	"github.com/p2pcam/p2pcam/protocol"
)

// TalkCodec is how talkback audio is coded on the way to the camera.
type TalkCodec string

// Talkback codecs: AAC-LC at 16 kHz mono, 32 kbps (what X-P2P apps send),
// or G.711 at 8 kHz.
const (
	TalkAAC   TalkCodec = "aac"
	TalkG711A TalkCodec = "g711a"
	TalkG711U TalkCodec = "g711u"
)

// ErrSpeakerBusy means another viewer is talking to the camera.
var ErrSpeakerBusy = errors.New("viewer: the camera's speaker is taken")

// SampleReader yields interleaved S16 samples, as pcm.WAVReader does.
type SampleReader interface {
	Read(p []int16) (int, error)
}

// Talk sends audio from src, of format f, to the camera's speaker in
// real time, until src ends or ctx is done.
func (c *Conn) Talk(ctx context.Context, src SampleReader, f pcm.Format, codec TalkCodec) error {
	enc, err := newTalkEncoder(codec)
	if err != nil {
		return err
	}
	resp, err := c.Request(ctx, "voice?channel=0")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	switch resp.Status {
	case protocol.StatusOK:
	case protocol.StatusBusy:
		return ErrSpeakerBusy
	default:
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("viewer: camera refused talkback: status %d: %s", resp.Status, b)
	}
	mux := flv.NewMuxer(resp.Send, flv.MuxerConfig{HasAudio: true})
	rs := pcm.NewResampler(f.Rate, f.Channels, enc.rate, 1)
	in := make([]int16, f.Rate/50*f.Channels)
	var pending []int16
	start := time.Now()
	var sent time.Duration
	for eof := false; !eof; {
		n, err := src.Read(in)
		if errors.Is(err, io.EOF) {
			eof = true
		} else if err != nil {
			return err
		}
		pending = rs.Convert(pending, in[:n])
		for len(pending) >= enc.frame || eof && len(pending) > 0 {
			take := min(enc.frame, len(pending))
			frame := append(make([]int16, 0, enc.frame), pending[:take]...)
			frame = frame[:enc.frame] // pad the last frame with silence
			pending = pending[take:]
			f, err := enc.encode(frame, sent)
			if err != nil {
				return err
			}
			// Pace in real time: the camera plays as it receives.
			select {
			case <-time.After(time.Until(start.Add(sent))):
			case <-ctx.Done():
				return ctx.Err()
			}
			if f != nil {
				if err := mux.WriteFrame(f); err != nil {
					return fmt.Errorf("viewer: talkback: %w", err)
				}
			}
			sent += time.Duration(enc.frame) * time.Second / time.Duration(enc.rate)
		}
	}
	if frames, err := enc.flush(sent); err == nil {
		for _, f := range frames {
			_ = mux.WriteFrame(f)
		}
	}
	// Let the last audio play out before the channel closes.
	time.Sleep(100 * time.Millisecond)
	return nil
}

// talkEncoder codes mono frames of one codec.
type talkEncoder struct {
	codec TalkCodec
	rate  int
	frame int // samples per frame
	aac   *aac.Encoder
	info  *media.AudioInfo
}

func newTalkEncoder(codec TalkCodec) (*talkEncoder, error) {
	switch codec {
	case TalkAAC, "":
		// Block switching: plosives without pre-echo.
		enc, err := aac.NewEncoder(aac.EncoderConfig{SampleRate: 16000, Channels: 1, Bitrate: 32000, BlockSwitching: true})
		if err != nil {
			return nil, err
		}
		asc, err := enc.Config().Marshal()
		if err != nil {
			return nil, err
		}
		return &talkEncoder{codec: TalkAAC, rate: 16000, frame: aac.SamplesPerFrame, aac: enc,
			info: &media.AudioInfo{Codec: media.CodecAAC, SampleRate: 16000, Channels: 1, Config: asc}}, nil
	case TalkG711A:
		return &talkEncoder{codec: codec, rate: 8000, frame: 160, info: &media.AudioInfo{Codec: media.CodecG711A, SampleRate: 8000, Channels: 1}}, nil
	case TalkG711U:
		return &talkEncoder{codec: codec, rate: 8000, frame: 160, info: &media.AudioInfo{Codec: media.CodecG711U, SampleRate: 8000, Channels: 1}}, nil
	}
	return nil, fmt.Errorf("viewer: unknown talkback codec %q: want aac, g711a or g711u", codec)
}

func (e *talkEncoder) encode(s []int16, pts time.Duration) (*media.Frame, error) {
	var payload []byte
	switch e.codec {
	case TalkAAC:
		var err error
		if payload, err = e.aac.Encode(nil, s); err != nil {
			return nil, err
		}
		if len(payload) == 0 {
			return nil, nil // the encoder's first call primes it
		}
	case TalkG711A:
		payload = g711.EncodeALaw(nil, s)
	case TalkG711U:
		payload = g711.EncodeULaw(nil, s)
	}
	return &media.Frame{Kind: media.KindAudio, Codec: e.info.Codec, Key: true, PTS: pts, Payload: payload, Audio: e.info}, nil
}

// flush returns the frames the encoder still holds, from pts on.
func (e *talkEncoder) flush(pts time.Duration) ([]*media.Frame, error) {
	if e.aac == nil {
		return nil, nil
	}
	var frames []*media.Frame
	for {
		payload, err := e.aac.Flush(nil)
		if err != nil || len(payload) == 0 {
			return frames, err
		}
		frames = append(frames, &media.Frame{Kind: media.KindAudio, Codec: e.info.Codec, Key: true, PTS: pts, Payload: payload, Audio: e.info})
		pts += time.Duration(e.frame) * time.Second / time.Duration(e.rate)
	}
}
