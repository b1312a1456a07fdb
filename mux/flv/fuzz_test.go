package flv

import (
	"bytes"
	"testing"

	"github.com/p2pcam/p2pcam/media"
)

// seedStreams returns muxer output of every track combination, for seeds.
func seedStreams(t testing.TB) [][]byte {
	v := testVideoInfo(640, 360)
	aac := testAACInfo()
	return [][]byte{
		muxAll(t, MuxerConfig{HasVideo: true},
			videoFrame(v, 0, true), videoFrame(v, ms(40), false), videoFrame(testVideoInfo(320, 240), ms(1<<24), true)),
		muxAll(t, MuxerConfig{HasVideo: true, HasAudio: true},
			videoFrame(v, 0, true), audioFrame(media.CodecAAC, aac, ms(10)), videoFrame(v, ms(40), false)),
		muxAll(t, MuxerConfig{HasAudio: true},
			audioFrame(media.CodecG711A, nil, 0), audioFrame(media.CodecG711U, nil, ms(20))),
	}
}

func FuzzDemuxer(f *testing.F) {
	for _, s := range seedStreams(f) {
		f.Add(s)
	}
	f.Add(append(Header{}.AppendTo(nil), 0x29, 0, 0, 0))
	f.Fuzz(func(t *testing.T, b []byte) {
		d := NewDemuxer(bytes.NewReader(b))
		d.MaxTagSize = 1 << 16
		if _, err := d.ReadHeader(); err != nil {
			return
		}
		// Each tag takes at least 11 bytes, so the loop ends; the bound is
		// a second guard.
		for range len(b)/tagHeaderSize + 1 {
			tag, err := d.ReadTag()
			if err != nil {
				if _, again := d.ReadTag(); again != err {
					t.Fatalf("error %v not sticky: then %v", err, again)
				}
				return
			}
			if len(tag.Data) > d.MaxTagSize {
				t.Fatalf("tag of %d bytes over the limit %d", len(tag.Data), d.MaxTagSize)
			}
			switch tag.Type {
			case TagTypeVideo:
				if v, err := ParseVideoData(tag.Data); err == nil && v.CodecID == CodecIDAVC && v.AVCPacketType == AVCPacketSequenceHeader {
					_, _ = ParseAVCConfig(v.Payload)
				}
			case TagTypeAudio:
				_, _ = ParseAudioData(tag.Data)
			case TagTypeScript:
				_, _ = DecodeAMF0(tag.Data)
			}
		}
		t.Fatal("ReadTag did not stop")
	})
}

func FuzzDecodeAMF0(f *testing.F) {
	for _, s := range seedStreams(f) {
		_, tags := demuxAll(f, s)
		f.Add(tags[0].Data) // onMetaData
	}
	for _, v := range []any{Object{{"a", []any{1.0, nil, Undefined{}, Date{Millis: 5}}}}, "long", nest(MaxAMF0Depth)} {
		b, err := AppendAMF0(nil, v)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{8, 0, 0, 0, 1, 0, 1, 'a', 1, 1})
	f.Add([]byte{12, 0, 0, 0, 2, 'h', 'i'})
	f.Fuzz(func(t *testing.T, b []byte) {
		vals, err := DecodeAMF0(b)
		if err != nil {
			return
		}
		// What decodes encodes, and re-encodes to the same bytes. (Not
		// necessarily b: counts, string forms and NaN bits may differ.)
		var enc1 []byte
		for _, v := range vals {
			if enc1, err = AppendAMF0(enc1, v); err != nil {
				t.Fatalf("AppendAMF0(%#v): %v", v, err)
			}
		}
		vals2, err := DecodeAMF0(enc1)
		if err != nil {
			t.Fatalf("re-encoded values do not decode: %v", err)
		}
		var enc2 []byte
		for _, v := range vals2 {
			if enc2, err = AppendAMF0(enc2, v); err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.Equal(enc1, enc2) {
			t.Fatalf("encoding not stable:\n% x\n% x", enc1, enc2)
		}
	})
}

func FuzzParseAVCConfig(f *testing.F) {
	rec, err := appendAVCConfig(nil, testSPS, testPPS)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(rec)
	f.Add(append(bytes.Clone(rec), 0xfd, 0xf8, 0xf8, 0))
	f.Add([]byte{1, 0x64, 0, 0x1f, 0xfd, 0xe2, 0, 4, 0x67, 0x64, 0, 0x1f, 0, 4, 0x67, 0x64, 0, 0x1f, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseAVCConfig(b)
		if err != nil {
			return
		}
		if c.LengthSize != 1 && c.LengthSize != 2 && c.LengthSize != 4 {
			t.Fatalf("length size %d", c.LengthSize)
		}
		if len(c.SPS) == 0 {
			t.Fatal("no SPS")
		}
		for _, sps := range c.SPS {
			if len(sps) < minSPSSize || sps[0]&0x1f != nalTypeSPS {
				t.Fatalf("bad SPS % x", sps)
			}
		}
		if len(c.PPS) == 0 {
			return
		}
		// A record rebuilt from the first SPS and PPS parses to them.
		rec, err := appendAVCConfig(nil, c.SPS[0], c.PPS[0])
		if err != nil {
			t.Fatalf("appendAVCConfig: %v", err)
		}
		c2, err := ParseAVCConfig(rec)
		if err != nil {
			t.Fatalf("rebuilt record: %v", err)
		}
		if !bytes.Equal(c2.SPS[0], c.SPS[0]) || !bytes.Equal(c2.PPS[0], c.PPS[0]) || c2.LengthSize != 4 {
			t.Fatalf("rebuilt record parses to %+v", c2)
		}
	})
}
