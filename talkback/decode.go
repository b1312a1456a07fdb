package talkback

import (
	"fmt"

	"github.com/p2pcam/p2pcam/codec/aac"
	"github.com/p2pcam/p2pcam/codec/g711"
	"github.com/p2pcam/p2pcam/media"
	"github.com/p2pcam/p2pcam/mux/flv"
)

// FLV SoundFormat values talkback plays.
const (
	soundPCMPlatform = 0
	soundPCMLE       = 3
	soundG711A       = 7
	soundG711U       = 8
	soundAAC         = 10
)

// decoder turns FLV audio tags into PCM. It follows the stream's format
// as it comes: an AAC sequence header (re)configures AAC decoding.
type decoder struct {
	aac      *aac.Decoder
	rate     int
	channels int
	pcm      []int16
}

// decodeFrame returns the PCM of a frame of codec after gap samples of
// silence, or of an FLV audio tag when codec is 0.
func (d *decoder) decodeFrame(codec media.Codec, gap int, data []byte) ([]int16, error) {
	switch codec {
	case 0:
		return d.decode(data)
	case media.CodecG711A, media.CodecG711U:
		d.rate, d.channels = 8000, 1
		d.pcm = append(d.pcm[:0], make([]int16, gap)...)
		if codec == media.CodecG711A {
			d.pcm = g711.DecodeALaw(d.pcm, data)
		} else {
			d.pcm = g711.DecodeULaw(d.pcm, data)
		}
		return d.pcm, nil
	}
	return nil, fmt.Errorf("%w: %v frames", ErrFormat, codec)
}

// decode returns the PCM of one audio tag (nil for headers) with its rate
// and channel count. The slice is reused by the next call.
func (d *decoder) decode(data []byte) ([]int16, error) {
	a, err := flv.ParseAudioData(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	switch a.SoundFormat {
	case soundAAC:
		if a.AACPacketType == flv.AACPacketSequenceHeader {
			cfg, err := aac.ParseAudioSpecificConfig(a.Payload)
			if err != nil {
				return nil, fmt.Errorf("%w: AAC config: %v", ErrFormat, err)
			}
			if d.aac, err = aac.NewDecoder(cfg); err != nil {
				return nil, fmt.Errorf("%w: %v", ErrFormat, err)
			}
			d.rate, d.channels = cfg.SampleRate, cfg.Channels
			return nil, nil
		}
		if d.aac == nil {
			return nil, fmt.Errorf("%w: AAC frame before its sequence header", ErrFormat)
		}
		payload := trimPadding(a.Payload)
		if len(payload) == 0 {
			return nil, nil
		}
		d.pcm, err = d.aac.Decode(d.pcm[:0], payload)
		if err != nil {
			return nil, err // one bad frame: the caller skips it
		}
		return d.pcm, nil
	case soundG711A, soundG711U:
		// G.711 in FLV is 8 kHz mono whatever the rate bits say.
		d.rate, d.channels = 8000, 1
		if a.SoundFormat == soundG711A {
			d.pcm = g711.DecodeALaw(d.pcm[:0], a.Payload)
		} else {
			d.pcm = g711.DecodeULaw(d.pcm[:0], a.Payload)
		}
		return d.pcm, nil
	case soundPCMLE, soundPCMPlatform:
		if a.SoundSize != 1 {
			return nil, fmt.Errorf("%w: 8-bit PCM", ErrFormat)
		}
		d.rate = [4]int{5512, 11025, 22050, 44100}[a.SoundRate&3]
		d.channels = int(a.SoundType) + 1
		d.pcm = d.pcm[:0]
		for i := 0; i+1 < len(a.Payload); i += 2 {
			d.pcm = append(d.pcm, int16(uint16(a.Payload[i])|uint16(a.Payload[i+1])<<8))
		}
		return d.pcm, nil
	}
	return nil, fmt.Errorf("%w: FLV sound format %d", ErrFormat, a.SoundFormat)
}

// trimPadding drops the zero bytes some apps append to AAC tags. A raw
// AAC frame ends with an END element whose bits are never all zero in
// the last byte, so trailing zero bytes are padding.
func trimPadding(b []byte) []byte {
	for len(b) > 0 && b[len(b)-1] == 0 {
		b = b[:len(b)-1]
	}
	return b
}
