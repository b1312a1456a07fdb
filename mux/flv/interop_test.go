package flv

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os/exec"
	"slices"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/internal/mediatest"
	"github.com/p2pcam/p2pcam/media"
)

// The interop tests check the muxer against the real ffprobe and ffmpeg,
// and the demuxer against what ffmpeg writes. Without the tools they skip
// (fail under CI): run scripts/test-deps.sh.

// ffmpeg runs ffmpeg with args and returns its standard output.
func ffmpeg(t *testing.T, args ...string) []byte {
	t.Helper()
	path := mediatest.Require(t, "ffmpeg")
	mediatest.Require(t, "ffprobe")
	cmd := exec.Command(path, append([]string{"-v", "error", "-nostdin"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ffmpeg %v: %v\n%s", args, err, stderr.String())
	}
	return out
}

// testH264 returns 2 s of 320x240 25 fps Baseline H.264 as frames with
// 40 ms PTS steps.
func testH264(t *testing.T) []*media.Frame {
	annexB := ffmpeg(t, "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "2",
		"-c:v", "libx264", "-profile:v", "baseline", "-bf", "0", "-g", "25", "-f", "h264", "-")
	var frames []*media.Frame
	var info *media.VideoInfo
	for i, au := range accessUnits(splitAnnexB(annexB)) {
		f := &media.Frame{Kind: media.KindVideo, Codec: media.CodecH264, PTS: time.Duration(i) * 40 * time.Millisecond}
		var sps, pps []byte
		for _, nal := range au {
			switch nal[0] & 0x1f {
			case 5:
				f.Key = true
			case 7:
				sps = nal
			case 8:
				pps = nal
			case 9:
				continue // access unit delimiters do not go into FLV
			}
			f.Payload = binary.BigEndian.AppendUint32(f.Payload, uint32(len(nal)))
			f.Payload = append(f.Payload, nal...)
		}
		if sps != nil && (info == nil || !bytes.Equal(sps, info.SPS) || !bytes.Equal(pps, info.PPS)) {
			info = &media.VideoInfo{SPS: sps, PPS: pps, Width: 320, Height: 240, FrameRate: 25, Profile: sps[1], Level: sps[3]}
		}
		if info == nil {
			t.Fatalf("access unit %d before any SPS", i)
		}
		f.Video = info
		frames = append(frames, f)
	}
	if len(frames) != 50 || !frames[0].Key {
		t.Fatalf("ffmpeg gave %d access units (first key: %v), want 50 starting with an IDR", len(frames), len(frames) > 0 && frames[0].Key)
	}
	return frames
}

// splitAnnexB splits an H.264 byte stream on 00 00 01 and 00 00 00 01
// start codes.
func splitAnnexB(b []byte) [][]byte {
	var nals [][]byte
	start := -1
	for i := 0; i+2 < len(b); i++ {
		if b[i] != 0 || b[i+1] != 0 || b[i+2] != 1 {
			continue
		}
		if start >= 0 {
			end := i
			if end > start && b[end-1] == 0 {
				end-- // the 4-byte start code's leading zero
			}
			nals = append(nals, b[start:end])
		}
		start = i + 3
		i += 2
	}
	if start >= 0 && start < len(b) {
		nals = append(nals, b[start:])
	}
	return nals
}

// accessUnits groups NAL units into access units: a new one starts at a
// slice with first_mb_in_slice 0, or at an AUD, SPS, PPS or SEI, after
// the previous access unit's slices.
func accessUnits(nals [][]byte) [][][]byte {
	var aus [][][]byte
	var cur [][]byte
	sawSlice := false
	for _, nal := range nals {
		if len(nal) == 0 {
			continue
		}
		typ := nal[0] & 0x1f
		slice := typ == 1 || typ == 5
		firstSlice := slice && len(nal) > 1 && nal[1]&0x80 != 0
		if sawSlice && (firstSlice || typ >= 6 && typ <= 9) {
			aus = append(aus, cur)
			cur, sawSlice = nil, false
		}
		cur = append(cur, nal)
		sawSlice = sawSlice || slice
	}
	if len(cur) > 0 {
		aus = append(aus, cur)
	}
	return aus
}

// adtsFrames parses an ADTS stream into raw AAC frames with PTS steps of
// 1024 samples, all sharing one AudioInfo built from the first header.
func adtsFrames(t *testing.T, b []byte) []*media.Frame {
	rates := []int{96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350}
	var frames []*media.Frame
	var info *media.AudioInfo
	for len(b) > 0 {
		if len(b) < 7 || b[0] != 0xff || b[1]&0xf0 != 0xf0 {
			t.Fatalf("ADTS sync lost with %d bytes left", len(b))
		}
		headerLen := 7
		if b[1]&0x01 == 0 { // protection_absent 0: a CRC follows
			headerLen = 9
		}
		objectType := b[2]>>6 + 1
		rateIndex := b[2] >> 2 & 0x0f
		channels := (b[2]&0x01)<<2 | b[3]>>6
		size := int(b[3]&0x03)<<11 | int(b[4])<<3 | int(b[5])>>5
		if size < headerLen || size > len(b) || int(rateIndex) >= len(rates) {
			t.Fatalf("bad ADTS header % x", b[:7])
		}
		if info == nil {
			info = &media.AudioInfo{Codec: media.CodecAAC, SampleRate: rates[rateIndex], Channels: int(channels),
				Config: []byte{objectType<<3 | rateIndex>>1, rateIndex<<7 | channels<<3}}
		}
		pts := time.Duration(len(frames)) * 1024 * time.Second / time.Duration(info.SampleRate)
		frames = append(frames, &media.Frame{Kind: media.KindAudio, Codec: media.CodecAAC, PTS: pts, Key: true, Payload: b[headerLen:size], Audio: info})
		b = b[size:]
	}
	return frames
}

// g711Frames chunks raw G.711 into 20 ms (160-byte) frames.
func g711Frames(c media.Codec, b []byte) []*media.Frame {
	info := &media.AudioInfo{Codec: c, SampleRate: 8000, Channels: 1}
	var frames []*media.Frame
	for i := 0; len(b) > 0; i++ {
		n := min(160, len(b))
		frames = append(frames, &media.Frame{Kind: media.KindAudio, Codec: c, PTS: time.Duration(i) * 20 * time.Millisecond, Key: true, Payload: b[:n], Audio: info})
		b = b[n:]
	}
	return frames
}

// interleave merges frame lists by PTS; at equal PTS earlier lists go
// first.
func interleave(lists ...[]*media.Frame) []*media.Frame {
	var all []*media.Frame
	for _, l := range lists {
		all = append(all, l...)
	}
	slices.SortStableFunc(all, func(a, b *media.Frame) int { return int(a.PTS - b.PTS) })
	return all
}

// muxFile muxes frames into a temporary FLV file and returns its path.
func muxFile(t *testing.T, cfg MuxerConfig, frames []*media.Frame) string {
	return mediatest.WriteTemp(t, "test.flv", muxAll(t, cfg, frames...))
}

func TestInteropH264(t *testing.T) {
	path := muxFile(t, MuxerConfig{HasVideo: true}, testH264(t))
	p := mediatest.FFprobe(t, path)
	v := p.Video(t)
	if v.CodecName != "h264" || v.Width != 320 || v.Height != 240 {
		t.Errorf("ffprobe sees %s %dx%d, want h264 320x240", v.CodecName, v.Width, v.Height)
	}
	pkts := p.VideoPackets()
	if len(pkts) != 50 {
		t.Errorf("ffprobe sees %d video packets, want 50", len(pkts))
	}
	for i := 1; i < len(pkts); i++ {
		if pkts[i].PTS <= pkts[i-1].PTS {
			t.Fatalf("packet %d: pts %d after %d", i, pkts[i].PTS, pkts[i-1].PTS)
		}
	}
	if len(pkts) > 0 && (pkts[0].PTS != 0 || !pkts[0].Keyframe()) {
		t.Errorf("first packet pts %d, flags %s; want 0 and a keyframe", pkts[0].PTS, pkts[0].Flags)
	}
	p.CheckMonotonic(t)
	mediatest.CheckDecodes(t, path)
}

func TestInteropH264AAC(t *testing.T) {
	aac := adtsFrames(t, ffmpeg(t, "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=16000", "-t", "2",
		"-c:a", "aac", "-b:a", "32k", "-f", "adts", "-"))
	path := muxFile(t, MuxerConfig{HasVideo: true, HasAudio: true}, interleave(testH264(t), aac))
	p := mediatest.FFprobe(t, path)
	got := map[string]mediatest.Stream{}
	for _, s := range p.Streams {
		got[s.CodecType] = s
	}
	if v := got["video"]; v.CodecName != "h264" || v.Width != 320 || v.Height != 240 {
		t.Errorf("video stream %+v, want h264 320x240", v)
	}
	if a := got["audio"]; a.CodecName != "aac" || a.SampleRate != "16000" || a.Channels != 1 {
		t.Errorf("audio stream %+v, want aac 16000 Hz mono", a)
	}
	var audio int
	for _, pk := range p.Packets {
		if pk.CodecType == "audio" {
			audio++
		}
	}
	if audio != len(aac) {
		t.Errorf("ffprobe sees %d audio packets, want %d", audio, len(aac))
	}
	p.CheckMonotonic(t)
	mediatest.CheckDecodes(t, path)
}

func TestInteropG711(t *testing.T) {
	tests := []struct {
		codec  media.Codec
		format string
	}{
		{media.CodecG711A, "alaw"},
		{media.CodecG711U, "mulaw"},
	}
	for _, tt := range tests {
		t.Run(tt.codec.String(), func(t *testing.T) {
			raw := ffmpeg(t, "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=8000", "-t", "2",
				"-c:a", "pcm_"+tt.format, "-ar", "8000", "-ac", "1", "-f", tt.format, "-")
			frames := g711Frames(tt.codec, raw)
			path := muxFile(t, MuxerConfig{HasAudio: true}, frames)
			p := mediatest.FFprobe(t, path)
			if len(p.Streams) != 1 {
				t.Fatalf("ffprobe sees %d streams, want 1", len(p.Streams))
			}
			if s := p.Streams[0]; s.CodecName != tt.codec.String() || s.SampleRate != "8000" || s.Channels != 1 {
				t.Errorf("stream %+v, want %s 8000 Hz mono", s, tt.codec)
			}
			if len(p.Packets) != len(frames) {
				t.Errorf("ffprobe sees %d packets, want %d", len(p.Packets), len(frames))
			}
			p.CheckMonotonic(t)
			mediatest.CheckDecodes(t, path)
		})
	}
}

func TestInteropDemuxFFmpegFLV(t *testing.T) {
	out := ffmpeg(t, "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=16000", "-t", "2",
		"-c:v", "libx264", "-profile:v", "baseline", "-bf", "0", "-g", "25",
		"-c:a", "aac", "-b:a", "32k", "-f", "flv", "-")
	d := NewDemuxer(bytes.NewReader(out))
	h, err := d.ReadHeader()
	if err != nil {
		t.Fatal(err)
	}
	if !h.HasAudio || !h.HasVideo {
		t.Errorf("header %+v, want audio and video", h)
	}
	count := map[TagType]int{}
	avcPackets := map[uint8]int{}
	last := map[TagType]uint32{}
	var avc *AVCConfig
	var aacHeader bool
	var meta ECMAArray
	for {
		tag, err := d.ReadTag()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("ReadTag after %v: %v", count, err)
		}
		if prev, ok := last[tag.Type]; ok && tag.Timestamp < prev {
			t.Errorf("%s tag at %d ms after %d ms", tag.Type, tag.Timestamp, prev)
		}
		last[tag.Type] = tag.Timestamp
		count[tag.Type]++
		switch tag.Type {
		case TagTypeScript:
			meta = decodeMetadata(t, tag.Data)
		case TagTypeVideo:
			v, err := ParseVideoData(tag.Data)
			if err != nil {
				t.Fatal(err)
			}
			if v.CodecID != CodecIDAVC {
				t.Fatalf("video codec ID %d, want 7", v.CodecID)
			}
			avcPackets[v.AVCPacketType]++
			if count[TagTypeVideo] == 1 {
				if v.AVCPacketType != AVCPacketSequenceHeader {
					t.Fatalf("first video tag has AVCPacketType %d, want a sequence header", v.AVCPacketType)
				}
				c, err := ParseAVCConfig(v.Payload)
				if err != nil {
					t.Fatalf("ParseAVCConfig: %v", err)
				}
				avc = &c
			}
		case TagTypeAudio:
			a, err := ParseAudioData(tag.Data)
			if err != nil {
				t.Fatal(err)
			}
			if count[TagTypeAudio] == 1 {
				aacHeader = a.SoundFormat == SoundFormatAAC && a.AACPacketType == AACPacketSequenceHeader
			}
		default:
			t.Errorf("unexpected %s tag", tag.Type)
		}
	}
	if count[TagTypeScript] != 1 || count[TagTypeAudio] < 2 {
		t.Errorf("tags %v, want 1 script, video and audio", count)
	}
	// ffmpeg ends the stream with an AVC end of sequence.
	if avcPackets[AVCPacketSequenceHeader] != 1 || avcPackets[AVCPacketNALU] != 50 || avcPackets[AVCPacketEndOfSequence] > 1 {
		t.Errorf("AVC packets by type %v, want 1 sequence header, 50 NALU, at most 1 end of sequence", avcPackets)
	}
	if avc == nil || avc.Profile != 66 || avc.LengthSize != 4 || len(avc.SPS) != 1 || len(avc.PPS) != 1 {
		t.Errorf("AVC sequence header %+v, want Baseline (66) with 4-byte lengths, one SPS and one PPS", avc)
	}
	if !aacHeader {
		t.Error("first audio tag is not an AAC sequence header")
	}
	if w, _ := meta.Get("width"); w != 320.0 {
		t.Errorf("onMetaData width %v, want 320", w)
	}
	if d.BadPrevSizes != 0 {
		t.Errorf("%d bad PreviousTagSize fields in ffmpeg's output", d.BadPrevSizes)
	}
}
