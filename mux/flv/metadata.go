package flv

import (
	"fmt"

	"github.com/p2pcam/p2pcam/media"
)

// encoderName is the onMetaData "encoder" value.
const encoderName = "p2pcam"

// metadata builds the onMetaData ECMA array: the video fields when v is
// not nil, the audio fields when audioCodec is set (a nil a means the
// codec's defaults: G.711 is 8 kHz mono).
func metadata(v *media.VideoInfo, audioCodec media.Codec, a *media.AudioInfo) (ECMAArray, error) {
	var md ECMAArray
	if v != nil {
		md = append(md,
			Property{"width", float64(v.Width)},
			Property{"height", float64(v.Height)})
		if v.FrameRate > 0 {
			md = append(md, Property{"framerate", v.FrameRate})
		}
		md = append(md, Property{"videocodecid", float64(CodecIDAVC)})
	}
	if audioCodec != 0 {
		id, err := soundFormat(audioCodec)
		if err != nil {
			return nil, err
		}
		rate, channels := 8000, 1
		if a != nil {
			rate, channels = a.SampleRate, a.Channels
		}
		md = append(md,
			Property{"audiocodecid", float64(id)},
			Property{"audiosamplerate", float64(rate)},
			Property{"stereo", channels > 1})
	}
	return append(md, Property{"encoder", encoderName}), nil
}

// appendMetadataBody appends the body of the onMetaData script tag: the
// AMF0 string "onMetaData", then the ECMA array.
func appendMetadataBody(dst []byte, md ECMAArray) ([]byte, error) {
	dst, err := AppendAMF0(dst, "onMetaData")
	if err != nil {
		return dst, err
	}
	return AppendAMF0(dst, md)
}

// soundFormat maps an audio codec to its FLV SoundFormat.
func soundFormat(c media.Codec) (uint8, error) {
	switch c {
	case media.CodecAAC:
		return SoundFormatAAC, nil
	case media.CodecG711A:
		return SoundFormatG711A, nil
	case media.CodecG711U:
		return SoundFormatG711U, nil
	}
	return 0, fmt.Errorf("flv: unsupported audio codec %v", c)
}
