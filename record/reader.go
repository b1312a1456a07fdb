package record

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/p2pcam/p2pcam/codec/aac"
	"github.com/p2pcam/p2pcam/codec/h264"
	"github.com/p2pcam/p2pcam/media"
	"github.com/p2pcam/p2pcam/mux/flv"
)

// configTags bounds how many tags a Reader reads at a segment's start to
// find its stream parameters (the sequence headers come first).
const configTags = 64

// maxASC bounds an AudioSpecificConfig: AAC-LC's is 2 bytes, and an
// MP4 descriptor holds at most 127 in one length byte.
const maxASC = 64

// Reader reads a segment's frames back, from a keyframe. Frame PTS is
// the time since the segment's start. It bounds what it reads, for a
// damaged file.
type Reader struct {
	d     *flv.Demuxer
	video *media.VideoInfo
	audio *media.AudioInfo
	// The sequence headers the infos were made from, to tell a change.
	avcc, asc []byte
}

// NewReader reads the segment in ra, size bytes long (Segment.Size),
// from the last keyframe at or before from (or its first keyframe).
// A segment with no keyframe or no stream parameters wraps ErrDamaged.
func NewReader(ra io.ReaderAt, size int64, from time.Duration) (*Reader, error) {
	sc, err := ScanSegment(ra, size)
	if err != nil {
		return nil, err
	}
	kf, ok := sc.KeyframeAt(from)
	if !ok {
		return nil, fmt.Errorf("%w: no keyframe", ErrDamaged)
	}
	r := &Reader{d: flv.NewDemuxer(io.NewSectionReader(ra, 0, sc.Size))}
	if _, err := r.d.ReadHeader(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDamaged, err)
	}
	// The parameters: what comes before the first video frame, and the
	// audio's up to the first audio frame.
	haveVideo, haveAudio := false, false
	for i := 0; i < configTags && !(haveVideo && haveAudio); i++ {
		f, err := r.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		haveVideo = haveVideo || f.Kind == media.KindVideo
		haveAudio = haveAudio || f.Kind == media.KindAudio
	}
	if r.video == nil {
		return nil, fmt.Errorf("%w: no AVC sequence header", ErrDamaged)
	}
	// Then from the keyframe, behind a header of our own.
	body := io.NewSectionReader(ra, kf.Offset, sc.Size-kf.Offset)
	r.d = flv.NewDemuxer(io.MultiReader(bytes.NewReader(flv.Header{HasVideo: true, HasAudio: true}.AppendTo(nil)), body))
	if _, err := r.d.ReadHeader(); err != nil {
		return nil, err
	}
	return r, nil
}

// Next returns the next frame, or io.EOF at the end of the segment. The
// frame's payload is its own.
func (r *Reader) Next() (*media.Frame, error) {
	return r.next()
}

func (r *Reader) next() (*media.Frame, error) {
	for {
		t, err := r.d.ReadTag()
		if err != nil {
			if err == io.EOF {
				return nil, io.EOF
			}
			return nil, fmt.Errorf("%w: %w", ErrDamaged, err)
		}
		pts := time.Duration(t.Timestamp) * time.Millisecond
		var f *media.Frame
		switch t.Type {
		case flv.TagTypeVideo:
			f, err = r.videoTag(t.Data, pts)
		case flv.TagTypeAudio:
			f, err = r.audioTag(t.Data, pts)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrDamaged, err)
		}
		if f != nil {
			return f, nil
		}
	}
}

// videoTag returns the frame of a video tag, or nil after taking in a
// sequence header.
func (r *Reader) videoTag(b []byte, pts time.Duration) (*media.Frame, error) {
	v, err := flv.ParseVideoData(b)
	if err != nil {
		return nil, err
	}
	if v.CodecID != flv.CodecIDAVC {
		return nil, fmt.Errorf("video codec %d, want AVC", v.CodecID)
	}
	switch v.AVCPacketType {
	case flv.AVCPacketSequenceHeader:
		if bytes.Equal(v.Payload, r.avcc) {
			return nil, nil
		}
		c, err := flv.ParseAVCConfig(v.Payload)
		if err != nil {
			return nil, err
		}
		if c.LengthSize != 4 || len(c.PPS) == 0 {
			return nil, errors.New("AVC config without 4-byte lengths and a PPS")
		}
		s, err := h264.ParseSPS(c.SPS[0])
		if err != nil {
			return nil, err
		}
		r.avcc = bytes.Clone(v.Payload)
		r.video = &media.VideoInfo{
			SPS: bytes.Clone(c.SPS[0]), PPS: bytes.Clone(c.PPS[0]),
			Width: s.Width, Height: s.Height, FrameRate: s.FrameRate,
			Profile: s.ProfileIDC, Level: s.LevelIDC,
		}
		return nil, nil
	case flv.AVCPacketNALU:
		if r.video == nil {
			return nil, errors.New("video frame before the AVC sequence header")
		}
		return &media.Frame{Kind: media.KindVideo, Codec: media.CodecH264, PTS: pts,
			Key: v.FrameType == flv.FrameTypeKey, Payload: bytes.Clone(v.Payload), Video: r.video}, nil
	}
	return nil, nil // end of sequence
}

// audioTag returns the frame of an audio tag, or nil after taking in a
// sequence header.
func (r *Reader) audioTag(b []byte, pts time.Duration) (*media.Frame, error) {
	a, err := flv.ParseAudioData(b)
	if err != nil {
		return nil, err
	}
	var codec media.Codec
	switch a.SoundFormat {
	case flv.SoundFormatAAC:
		if a.AACPacketType == flv.AACPacketSequenceHeader {
			if bytes.Equal(a.Payload, r.asc) {
				return nil, nil
			}
			if len(a.Payload) > maxASC {
				return nil, fmt.Errorf("AudioSpecificConfig of %d bytes", len(a.Payload))
			}
			c, err := aac.ParseAudioSpecificConfig(a.Payload)
			if err != nil {
				return nil, err
			}
			r.asc = bytes.Clone(a.Payload)
			r.audio = &media.AudioInfo{Codec: media.CodecAAC, SampleRate: c.SampleRate, Channels: c.Channels, Config: r.asc}
			return nil, nil
		}
		if r.audio == nil || r.audio.Codec != media.CodecAAC {
			return nil, errors.New("AAC frame before the AAC sequence header")
		}
		codec = media.CodecAAC
	case flv.SoundFormatG711A:
		codec = media.CodecG711A
	case flv.SoundFormatG711U:
		codec = media.CodecG711U
	default:
		return nil, fmt.Errorf("sound format %d", a.SoundFormat)
	}
	if codec != media.CodecAAC && (r.audio == nil || r.audio.Codec != codec) {
		r.audio = &media.AudioInfo{Codec: codec, SampleRate: 8000, Channels: 1}
	}
	return &media.Frame{Kind: media.KindAudio, Codec: codec, PTS: pts, Key: true,
		Payload: bytes.Clone(a.Payload), Audio: r.audio}, nil
}
