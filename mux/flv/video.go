package flv

import (
	"errors"
	"fmt"
)

// Video frame types (VideoTagHeader FrameType).
const (
	FrameTypeKey       = 1 // keyframe (for AVC, a seekable frame)
	FrameTypeInter     = 2 // inter frame (for AVC, a non-seekable frame)
	FrameTypeInfoFrame = 5 // video info/command frame
)

// CodecIDAVC is the VideoTagHeader CodecID of H.264 (AVC).
const CodecIDAVC = 7

// AVC packet types (VideoTagHeader AVCPacketType).
const (
	AVCPacketSequenceHeader = 0 // body is an AVCDecoderConfigurationRecord
	AVCPacketNALU           = 1 // body is NAL units with length prefixes
	AVCPacketEndOfSequence  = 2 // end of sequence, empty body
)

// avcVideoPrefixSize is the VideoTagHeader size for AVC: FrameType and
// CodecID, AVCPacketType, 24-bit CompositionTime.
const avcVideoPrefixSize = 5

// VideoData is the parsed header of a video tag's body.
type VideoData struct {
	FrameType       uint8  // FrameTypeKey, FrameTypeInter, ...
	CodecID         uint8  // CodecIDAVC, ...
	AVCPacketType   uint8  // when CodecID is CodecIDAVC
	CompositionTime int32  // ms, signed 24-bit; when CodecID is CodecIDAVC
	Payload         []byte // the rest of the body; aliases the input
}

// ParseVideoData parses the VideoTagHeader at the start of a video tag's
// body. The AVC fields are read, and required, only when the codec is
// AVC.
func ParseVideoData(b []byte) (VideoData, error) {
	if len(b) < 1 {
		return VideoData{}, errors.New("flv: video data: empty")
	}
	v := VideoData{FrameType: b[0] >> 4, CodecID: b[0] & 0x0f}
	if v.CodecID != CodecIDAVC {
		v.Payload = b[1:]
		return v, nil
	}
	if len(b) < avcVideoPrefixSize {
		return VideoData{}, fmt.Errorf("flv: video data: AVC header of %d bytes, need %d", len(b), avcVideoPrefixSize)
	}
	v.AVCPacketType = b[1]
	v.CompositionTime = int32(get24(b[2:])<<8) >> 8 // sign-extend 24 bits
	v.Payload = b[avcVideoPrefixSize:]
	return v, nil
}
