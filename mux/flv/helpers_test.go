package flv

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/media"
)

// A Baseline SPS and PPS; the muxer only copies them, so they need not
// match the fake slices below.
var (
	testSPS = []byte{0x67, 0x42, 0xc0, 0x1e, 0xda, 0x02, 0x80, 0xbf, 0xe5, 0x84}
	testPPS = []byte{0x68, 0xce, 0x3c, 0x80}
	testASC = []byte{0x14, 0x08} // AAC-LC, 16 kHz, mono
)

func testVideoInfo(w, h int) *media.VideoInfo {
	return &media.VideoInfo{SPS: testSPS, PPS: testPPS, Width: w, Height: h, FrameRate: 25, Profile: 66, Level: 30}
}

func testAACInfo() *media.AudioInfo {
	return &media.AudioInfo{Codec: media.CodecAAC, SampleRate: 16000, Channels: 1, Config: testASC}
}

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

// videoFrame returns an H.264 frame whose payload is one fake AVCC slice.
func videoFrame(info *media.VideoInfo, pts time.Duration, key bool) *media.Frame {
	nal := []byte{0x41, 0x9a, 0x01, 0x02, 0x03}
	if key {
		nal = []byte{0x65, 0x88, 0x84, 0x00, 0x33}
	}
	payload := append([]byte{0, 0, 0, byte(len(nal))}, nal...)
	return &media.Frame{Kind: media.KindVideo, Codec: media.CodecH264, PTS: pts, Key: key, Payload: payload, Video: info}
}

// audioFrame returns an audio frame of codec c.
func audioFrame(c media.Codec, info *media.AudioInfo, pts time.Duration) *media.Frame {
	return &media.Frame{Kind: media.KindAudio, Codec: c, PTS: pts, Key: true, Payload: []byte{0x21, 0x10, 0x04, 0x60}, Audio: info}
}

// muxAll writes frames through a new Muxer and returns its output.
func muxAll(t testing.TB, cfg MuxerConfig, frames ...*media.Frame) []byte {
	t.Helper()
	var buf bytes.Buffer
	m := NewMuxer(&buf, cfg)
	for i, f := range frames {
		if err := m.WriteFrame(f); err != nil {
			t.Fatalf("WriteFrame %d: %v", i, err)
		}
	}
	return buf.Bytes()
}

// demuxAll reads a whole stream, copying each tag's data. It fails the
// test on any error but the final io.EOF, and on a bad PreviousTagSize.
func demuxAll(t testing.TB, b []byte) (Header, []Tag) {
	t.Helper()
	d := NewDemuxer(bytes.NewReader(b))
	h, err := d.ReadHeader()
	if err != nil {
		t.Fatalf("ReadHeader: %v", err)
	}
	var tags []Tag
	for {
		tag, err := d.ReadTag()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("ReadTag %d: %v", len(tags), err)
		}
		tag.Data = bytes.Clone(tag.Data)
		tags = append(tags, tag)
	}
	if d.BadPrevSizes != 0 {
		t.Errorf("%d bad PreviousTagSize fields", d.BadPrevSizes)
	}
	return h, tags
}

// describe names a tag by what it carries: "meta", "avc-seq", "avc-key",
// "avc-inter", "aac-seq", "aac", "alaw", "ulaw", or "?".
func describe(tag Tag) string {
	switch tag.Type {
	case TagTypeScript:
		return "meta"
	case TagTypeVideo:
		v, err := ParseVideoData(tag.Data)
		switch {
		case err != nil || v.CodecID != CodecIDAVC:
		case v.AVCPacketType == AVCPacketSequenceHeader:
			return "avc-seq"
		case v.FrameType == FrameTypeKey:
			return "avc-key"
		case v.FrameType == FrameTypeInter:
			return "avc-inter"
		}
	case TagTypeAudio:
		a, err := ParseAudioData(tag.Data)
		switch {
		case err != nil:
		case a.SoundFormat == SoundFormatAAC && a.AACPacketType == AACPacketSequenceHeader:
			return "aac-seq"
		case a.SoundFormat == SoundFormatAAC:
			return "aac"
		case a.SoundFormat == SoundFormatG711A:
			return "alaw"
		case a.SoundFormat == SoundFormatG711U:
			return "ulaw"
		}
	}
	return "?"
}

// decodeMetadata decodes an onMetaData tag body.
func decodeMetadata(t testing.TB, data []byte) ECMAArray {
	t.Helper()
	vals, err := DecodeAMF0(data)
	if err != nil {
		t.Fatalf("DecodeAMF0(onMetaData): %v", err)
	}
	if len(vals) != 2 || vals[0] != "onMetaData" {
		t.Fatalf("script tag holds %#v, want onMetaData and an ECMA array", vals)
	}
	md, ok := vals[1].(ECMAArray)
	if !ok {
		t.Fatalf("onMetaData value is %T, want ECMAArray", vals[1])
	}
	return md
}
