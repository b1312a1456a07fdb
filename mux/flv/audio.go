package flv

import (
	"errors"
	"fmt"
)

// Sound formats (AudioTagHeader SoundFormat).
const (
	SoundFormatG711A = 7  // G.711 A-law
	SoundFormatG711U = 8  // G.711 µ-law
	SoundFormatAAC   = 10 // AAC
)

// AAC packet types (AudioTagHeader AACPacketType).
const (
	AACPacketSequenceHeader = 0 // body is an AudioSpecificConfig
	AACPacketRaw            = 1 // body is one raw AAC frame
)

// Audio tag first bytes the muxer writes. AAC always declares 44 kHz,
// 16-bit, stereo (the AudioSpecificConfig carries the real values).
// G.711 declares rate field 0, 16-bit, mono, as ffmpeg writes it; players
// take G.711 as 8 kHz whatever the rate field says.
const (
	audioFlagsAAC   = SoundFormatAAC<<4 | 3<<2 | 1<<1 | 1
	audioFlagsG711A = SoundFormatG711A<<4 | 1<<1
	audioFlagsG711U = SoundFormatG711U<<4 | 1<<1
)

// AudioData is the parsed header of an audio tag's body.
type AudioData struct {
	SoundFormat   uint8  // SoundFormatAAC, SoundFormatG711A, ...
	SoundRate     uint8  // 0 = 5.5 kHz, 1 = 11 kHz, 2 = 22 kHz, 3 = 44 kHz
	SoundSize     uint8  // 0 = 8-bit, 1 = 16-bit samples
	SoundType     uint8  // 0 = mono, 1 = stereo
	AACPacketType uint8  // when SoundFormat is SoundFormatAAC
	Payload       []byte // the rest of the body; aliases the input
}

// ParseAudioData parses the AudioTagHeader at the start of an audio tag's
// body. AACPacketType is read, and required, only for AAC.
func ParseAudioData(b []byte) (AudioData, error) {
	if len(b) < 1 {
		return AudioData{}, errors.New("flv: audio data: empty")
	}
	a := AudioData{
		SoundFormat: b[0] >> 4,
		SoundRate:   b[0] >> 2 & 0x03,
		SoundSize:   b[0] >> 1 & 0x01,
		SoundType:   b[0] & 0x01,
	}
	if a.SoundFormat != SoundFormatAAC {
		a.Payload = b[1:]
		return a, nil
	}
	if len(b) < 2 {
		return AudioData{}, fmt.Errorf("flv: audio data: AAC header of %d byte, need 2", len(b))
	}
	a.AACPacketType = b[1]
	a.Payload = b[2:]
	return a, nil
}
