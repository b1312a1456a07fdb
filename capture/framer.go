package capture

import (
	"bytes"
	"fmt"

	"github.com/p2pcam/p2pcam/codec/h264"
	"github.com/p2pcam/p2pcam/media"
)

// Framer turns a sequence of H.264 NAL units into frames: it assembles
// access units, keeps the latest SPS/PPS, puts them in front of every IDR
// that lacks them, converts to AVCC, and holds back frames until the
// first IDR so that a stream always starts decodable. Every H.264 source
// frames its stream with one (v4l2cam's too). Its zero value is ready;
// one goroutine uses it at a time.
type Framer struct {
	asm     h264.Assembler
	params  h264.ParamSets
	info    *media.VideoInfo
	started bool // an IDR with parameters has been emitted

	// Skipped counts access units dropped because no IDR with SPS/PPS had
	// been seen yet, or because their SPS could not be parsed.
	Skipped int
}

// Push feeds one NAL unit and returns a completed frame, if any, without
// its PTS (the caller stamps it).
func (f *Framer) Push(nalu []byte) (*media.Frame, error) {
	au, ok := f.asm.Push(nalu)
	if !ok {
		return nil, nil
	}
	return f.frame(au)
}

// Flush returns the access unit in progress at the end of a stream.
func (f *Framer) Flush() (*media.Frame, error) {
	au, ok := f.asm.Flush()
	if !ok {
		return nil, nil
	}
	return f.frame(au)
}

func (f *Framer) frame(au h264.AccessUnit) (*media.Frame, error) {
	changed := f.params.Observe(au.NALUs)
	if (changed || f.info == nil) && f.params.Ready() {
		info, err := videoInfo(f.params.SPS(), f.params.PPS())
		if err != nil {
			f.Skipped++
			return nil, err
		}
		if f.info == nil || !sameParams(f.info, info) {
			f.info = info
		}
	}
	if !f.started {
		if !au.IDR || !f.params.Ready() {
			f.Skipped++
			return nil, nil
		}
		f.started = true
	}
	if au.IDR {
		au = f.params.Complete(au)
	}
	return &media.Frame{
		Kind:    media.KindVideo,
		Codec:   media.CodecH264,
		Key:     au.IDR,
		Payload: h264.AppendAVCC(make([]byte, 0, h264.AVCCSize(au.NALUs)), au.NALUs),
		Video:   f.info,
	}, nil
}

func videoInfo(sps, pps []byte) (*media.VideoInfo, error) {
	s, err := h264.ParseSPS(sps)
	if err != nil {
		return nil, fmt.Errorf("capture: stream has a bad SPS: %w", err)
	}
	return &media.VideoInfo{
		SPS:       bytes.Clone(sps),
		PPS:       bytes.Clone(pps),
		Width:     s.Width,
		Height:    s.Height,
		FrameRate: s.FrameRate,
		Profile:   s.ProfileIDC,
		Level:     s.LevelIDC,
	}, nil
}

func sameParams(a, b *media.VideoInfo) bool {
	return bytes.Equal(a.SPS, b.SPS) && bytes.Equal(a.PPS, b.PPS)
}
