package media

import "time"

// Kind tells a video frame from an audio frame.
type Kind uint8

// Frame kinds.
const (
	KindVideo Kind = iota + 1
	KindAudio
)

// String returns "video" or "audio".
func (k Kind) String() string {
	switch k {
	case KindVideo:
		return "video"
	case KindAudio:
		return "audio"
	}
	return "unknown"
}

// Codec identifies the coding of a frame's payload.
type Codec uint8

// Codecs p2pcam carries.
const (
	CodecH264  Codec = iota + 1 // ITU-T H.264, payload in AVCC form
	CodecAAC                    // AAC-LC, payload is one raw access unit (no ADTS)
	CodecG711A                  // G.711 A-law, 8 kHz mono
	CodecG711U                  // G.711 µ-law, 8 kHz mono
)

// String returns the codec's short name as ffprobe prints it.
func (c Codec) String() string {
	switch c {
	case CodecH264:
		return "h264"
	case CodecAAC:
		return "aac"
	case CodecG711A:
		return "pcm_alaw"
	case CodecG711U:
		return "pcm_mulaw"
	}
	return "unknown"
}

// Frame is one access unit: a whole coded picture, or one audio frame.
//
// Frames are shared by every subscriber of a stream and must not be
// modified once published.
type Frame struct {
	Kind  Kind
	Codec Codec

	// PTS is the presentation time on the agent's shared clock (the same
	// time base for audio and video). H.264 streams carry no B-frames, so
	// decode order is presentation order and DTS equals PTS.
	PTS time.Duration

	// Key is true for frames a decoder can start at: an H.264 IDR access
	// unit (which then carries its SPS and PPS), or any audio frame.
	Key bool

	// Payload is the coded data. For H.264 it is AVCC: each NAL unit
	// preceded by its 4-byte big-endian length. For audio it is one raw
	// codec frame.
	Payload []byte

	// Video describes the H.264 stream this frame belongs to; nil for
	// audio. Frames of one unchanged stream share the same pointer, so a
	// consumer detects a parameter change by pointer comparison.
	Video *VideoInfo

	// Audio describes the audio stream; nil for video. Shared the same way.
	Audio *AudioInfo
}

// VideoInfo holds the parameters of an H.264 stream.
type VideoInfo struct {
	SPS, PPS  []byte  // parameter set NAL units, without start codes
	Width     int     // displayed width in pixels (cropping applied)
	Height    int     // displayed height in pixels
	FrameRate float64 // frames per second; 0 when unknown
	Profile   uint8   // profile_idc
	Level     uint8   // level_idc
}

// AudioInfo holds the parameters of an audio stream.
type AudioInfo struct {
	Codec      Codec
	SampleRate int    // samples per second
	Channels   int    // 1 mono, 2 stereo
	Config     []byte // AAC AudioSpecificConfig (ISO 14496-3 1.6.2.1); nil otherwise
}
