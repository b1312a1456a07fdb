package flv

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/p2pcam/p2pcam/media"
)

func TestMuxerTags(t *testing.T) {
	v1, v2 := testVideoInfo(640, 360), testVideoInfo(1280, 720)
	aac, aac2 := testAACInfo(), testAACInfo()
	alaw := &media.AudioInfo{Codec: media.CodecG711A, SampleRate: 8000, Channels: 1}
	K := func(info *media.VideoInfo, n int) *media.Frame { return videoFrame(info, ms(n), true) }
	P := func(info *media.VideoInfo, n int) *media.Frame { return videoFrame(info, ms(n), false) }
	A := func(info *media.AudioInfo, n int) *media.Frame { return audioFrame(media.CodecAAC, info, ms(n)) }
	video := MuxerConfig{HasVideo: true}
	audio := MuxerConfig{HasAudio: true}
	both := MuxerConfig{HasVideo: true, HasAudio: true}

	tests := []struct {
		name   string
		cfg    MuxerConfig
		frames []*media.Frame
		want   string // "kind@ms" per tag
	}{
		{"video starts at 0", video,
			[]*media.Frame{K(v1, 1000), P(v1, 1040), P(v1, 1080)},
			"meta@0 avc-seq@0 avc-key@0 avc-inter@40 avc-inter@80"},
		{"skip until keyframe", video,
			[]*media.Frame{P(v1, 0), P(v1, 40), K(v1, 80), P(v1, 120)},
			"meta@0 avc-seq@0 avc-key@0 avc-inter@40"},
		{"repeated and backwards PTS", video,
			[]*media.Frame{K(v1, 0), P(v1, 40), P(v1, 40), P(v1, 20), P(v1, 200)},
			"meta@0 avc-seq@0 avc-key@0 avc-inter@40 avc-inter@41 avc-inter@42 avc-inter@200"},
		{"sub-millisecond steps", video,
			[]*media.Frame{K(v1, 0), {Kind: media.KindVideo, Codec: media.CodecH264, PTS: 300_000, Payload: []byte{0, 0, 0, 1, 0x41}, Video: v1}},
			"meta@0 avc-seq@0 avc-key@0 avc-inter@1"},
		{"new VideoInfo, new sequence header", video,
			[]*media.Frame{K(v1, 0), P(v1, 40), K(v2, 80), P(v2, 120)},
			"meta@0 avc-seq@0 avc-key@0 avc-inter@40 avc-seq@80 avc-key@80 avc-inter@120"},
		{"extended timestamp", video,
			[]*media.Frame{K(v1, 0), P(v1, 1<<24+5), P(v1, 1<<31+7)},
			"meta@0 avc-seq@0 avc-key@0 avc-inter@16777221 avc-inter@2147483655"},
		{"audio ignored without HasAudio", video,
			[]*media.Frame{A(aac, 0), K(v1, 10), A(aac, 20)},
			"meta@0 avc-seq@0 avc-key@0"},
		{"video ignored without HasVideo", audio,
			[]*media.Frame{K(v1, 0), A(aac, 10), P(v1, 40), A(aac, 74)},
			"meta@0 aac-seq@0 aac@0 aac@64"},
		{"audio waits for the first video keyframe", both,
			[]*media.Frame{A(aac, 0), P(v1, 10), K(v1, 20), A(aac, 30), A(aac, 94), P(v1, 60)},
			"meta@0 avc-seq@0 avc-key@0 aac-seq@10 aac@10 aac@74 avc-inter@40"},
		{"audio before the base clamps to 0", both,
			[]*media.Frame{K(v1, 1000), A(aac, 900), A(aac, 964), A(aac, 1028)},
			"meta@0 avc-seq@0 avc-key@0 aac-seq@0 aac@0 aac@1 aac@28"},
		{"new AudioInfo, new sequence header", audio,
			[]*media.Frame{A(aac, 0), A(aac, 64), A(aac2, 128)},
			"meta@0 aac-seq@0 aac@0 aac@64 aac-seq@128 aac@128"},
		{"G.711 A-law", audio,
			[]*media.Frame{audioFrame(media.CodecG711A, alaw, ms(5)), audioFrame(media.CodecG711A, alaw, ms(25))},
			"meta@0 alaw@0 alaw@20"},
		{"G.711 µ-law without AudioInfo", audio,
			[]*media.Frame{audioFrame(media.CodecG711U, nil, ms(0)), audioFrame(media.CodecG711U, nil, ms(20))},
			"meta@0 ulaw@0 ulaw@20"},
		{"backlog: video runs 8 times faster, audio starts after it", MuxerConfig{HasVideo: true, HasAudio: true, BacklogUntil: ms(1120)},
			[]*media.Frame{K(v1, 1000), P(v1, 1040), A(aac, 1060), P(v1, 1080), A(aac, 1124), P(v1, 1120), P(v1, 1160), A(aac, 1188), P(v1, 1200)},
			"meta@0 avc-seq@0 avc-key@0 avc-inter@5 avc-inter@10 aac-seq@19 aac@19 avc-inter@15 avc-inter@55 aac@83 avc-inter@95"},
		{"backlog of one keyframe", MuxerConfig{HasVideo: true, BacklogUntil: ms(1000)},
			[]*media.Frame{K(v1, 1000), P(v1, 1040)},
			"meta@0 avc-seq@0 avc-key@0 avc-inter@40"},
		{"nothing before a keyframe", video,
			[]*media.Frame{P(v1, 0)},
			""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := muxAll(t, tt.cfg, tt.frames...)
			if tt.want == "" {
				if len(out) != 0 {
					t.Fatalf("wrote %d bytes, want none", len(out))
				}
				return
			}
			h, tags := demuxAll(t, out)
			if h != (Header{HasAudio: tt.cfg.HasAudio, HasVideo: tt.cfg.HasVideo}) {
				t.Errorf("header %+v, want flags of %+v", h, tt.cfg)
			}
			var got []string
			for _, tag := range tags {
				got = append(got, fmt.Sprintf("%s@%d", describe(tag), tag.Timestamp))
			}
			if g := strings.Join(got, " "); g != tt.want {
				t.Errorf("tags:\n got %s\nwant %s", g, tt.want)
			}
		})
	}
}

func TestMuxerTagBodies(t *testing.T) {
	info := testVideoInfo(640, 360)
	key := videoFrame(info, 0, true)
	a := audioFrame(media.CodecAAC, testAACInfo(), 0)
	g := audioFrame(media.CodecG711A, nil, 0)
	_, tags := demuxAll(t, muxAll(t, MuxerConfig{HasVideo: true, HasAudio: true}, key, a, g))
	want := [][]byte{
		nil, // metadata: TestMuxerMetadata
		append([]byte{0x17, 0, 0, 0, 0, 1, 0x42, 0xc0, 0x1e, 0xff, 0xe1, 0, byte(len(testSPS))},
			append(append(testSPS, 1, 0, byte(len(testPPS))), testPPS...)...),
		append([]byte{0x17, 1, 0, 0, 0}, key.Payload...),
		append([]byte{0xaf, 0}, testASC...),
		append([]byte{0xaf, 1}, a.Payload...),
		append([]byte{0x72}, g.Payload...),
	}
	if len(tags) != len(want) {
		t.Fatalf("%d tags, want %d", len(tags), len(want))
	}
	for i := 1; i < len(want); i++ {
		if !bytes.Equal(tags[i].Data, want[i]) {
			t.Errorf("tag %d (%s):\n got % x\nwant % x", i, describe(tags[i]), tags[i].Data, want[i])
		}
	}
	v, err := ParseVideoData(tags[1].Data)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := ParseAVCConfig(v.Payload)
	if err != nil {
		t.Fatalf("ParseAVCConfig: %v", err)
	}
	if cfg.Profile != 66 || cfg.Level != 30 || cfg.LengthSize != 4 || !bytes.Equal(cfg.SPS[0], testSPS) || !bytes.Equal(cfg.PPS[0], testPPS) {
		t.Errorf("sequence header record %+v", cfg)
	}
}

func TestMuxerMetadata(t *testing.T) {
	v := testVideoInfo(640, 360)
	tests := []struct {
		name   string
		cfg    MuxerConfig
		frames []*media.Frame
		want   ECMAArray
	}{
		{"video", MuxerConfig{HasVideo: true},
			[]*media.Frame{videoFrame(v, 0, true)},
			ECMAArray{{"width", 640.0}, {"height", 360.0}, {"framerate", 25.0}, {"videocodecid", 7.0}, {"encoder", "p2pcam"}}},
		{"video and AAC", MuxerConfig{HasVideo: true, HasAudio: true},
			[]*media.Frame{audioFrame(media.CodecAAC, testAACInfo(), 0), videoFrame(v, 0, true)},
			ECMAArray{{"width", 640.0}, {"height", 360.0}, {"framerate", 25.0}, {"videocodecid", 7.0},
				{"audiocodecid", 10.0}, {"audiosamplerate", 16000.0}, {"stereo", false}, {"encoder", "p2pcam"}}},
		{"video, audio not yet known", MuxerConfig{HasVideo: true, HasAudio: true},
			[]*media.Frame{videoFrame(&media.VideoInfo{SPS: testSPS, PPS: testPPS, Width: 320, Height: 240}, 0, true)},
			ECMAArray{{"width", 320.0}, {"height", 240.0}, {"videocodecid", 7.0}, {"encoder", "p2pcam"}}},
		{"stereo AAC", MuxerConfig{HasAudio: true},
			[]*media.Frame{audioFrame(media.CodecAAC, &media.AudioInfo{Codec: media.CodecAAC, SampleRate: 48000, Channels: 2, Config: []byte{0x11, 0x90}}, 0)},
			ECMAArray{{"audiocodecid", 10.0}, {"audiosamplerate", 48000.0}, {"stereo", true}, {"encoder", "p2pcam"}}},
		{"A-law", MuxerConfig{HasAudio: true},
			[]*media.Frame{audioFrame(media.CodecG711A, nil, 0)},
			ECMAArray{{"audiocodecid", 7.0}, {"audiosamplerate", 8000.0}, {"stereo", false}, {"encoder", "p2pcam"}}},
		{"µ-law", MuxerConfig{HasAudio: true},
			[]*media.Frame{audioFrame(media.CodecG711U, nil, 0)},
			ECMAArray{{"audiocodecid", 8.0}, {"audiosamplerate", 8000.0}, {"stereo", false}, {"encoder", "p2pcam"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, tags := demuxAll(t, muxAll(t, tt.cfg, tt.frames...))
			if len(tags) == 0 || tags[0].Type != TagTypeScript {
				t.Fatalf("first tag is not a script tag")
			}
			if got := decodeMetadata(t, tags[0].Data); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("onMetaData:\n got %v\nwant %v", got, tt.want)
			}
		})
	}
}

func TestMuxerRejects(t *testing.T) {
	v := testVideoInfo(640, 360)
	both := MuxerConfig{HasVideo: true, HasAudio: true}
	tests := []struct {
		name string
		f    *media.Frame
		want string
	}{
		{"unknown kind", &media.Frame{Codec: media.CodecH264}, "unknown frame kind"},
		{"video codec", &media.Frame{Kind: media.KindVideo, Codec: media.CodecAAC, Key: true, Video: v}, "unsupported video codec aac"},
		{"audio codec", &media.Frame{Kind: media.KindAudio, Codec: media.CodecH264}, "unsupported audio codec h264"},
		{"no VideoInfo", &media.Frame{Kind: media.KindVideo, Codec: media.CodecH264, Key: true}, "without VideoInfo"},
		{"no AudioInfo", &media.Frame{Kind: media.KindAudio, Codec: media.CodecAAC}, "without AudioSpecificConfig"},
		{"no AAC config", audioFrame(media.CodecAAC, &media.AudioInfo{Codec: media.CodecAAC}, 0), "without AudioSpecificConfig"},
		{"short SPS", videoFrame(&media.VideoInfo{SPS: []byte{0x67, 0x42}, PPS: testPPS}, 0, true), "SPS of 2 bytes"},
		{"SPS with start code", videoFrame(&media.VideoInfo{SPS: append([]byte{0, 0, 0, 1}, testSPS...), PPS: testPPS}, 0, true), "NAL type 0"},
		{"no PPS", videoFrame(&media.VideoInfo{SPS: testSPS}, 0, true), "empty PPS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			m := NewMuxer(&buf, both)
			err := m.WriteFrame(tt.f)
			if err == nil || !strings.HasPrefix(err.Error(), "flv: ") || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("WriteFrame: %v, want an error with %q", err, tt.want)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes for a rejected frame", buf.Len())
			}
			// The error does not stick: a good frame still starts the stream.
			if err := m.WriteFrame(videoFrame(v, 0, true)); err != nil {
				t.Fatalf("WriteFrame after a rejected frame: %v", err)
			}
			if _, tags := demuxAll(t, buf.Bytes()); len(tags) != 3 {
				t.Errorf("%d tags after a rejected frame, want meta, sequence header, frame", len(tags))
			}
		})
	}
}

// failWriter accepts n bytes, then fails every write.
type failWriter struct {
	n      int
	writes int
}

var errBoom = errors.New("boom")

func (w *failWriter) Write(p []byte) (int, error) {
	w.writes++
	if len(p) > w.n {
		n := w.n
		w.n = 0
		return n, errBoom
	}
	w.n -= len(p)
	return len(p), nil
}

func TestMuxerWriteErrorSticks(t *testing.T) {
	v := testVideoInfo(640, 360)
	for _, budget := range []int{0, 13, 100, 200} {
		t.Run(fmt.Sprint(budget), func(t *testing.T) {
			w := &failWriter{n: budget}
			m := NewMuxer(w, MuxerConfig{HasVideo: true})
			var first error
			for i := range 10 {
				err := m.WriteFrame(videoFrame(v, ms(40*i), i == 0))
				if first == nil {
					first = err
					continue
				}
				if err != first {
					t.Fatalf("frame %d: %v, want the first error %v again", i, err, first)
				}
			}
			if !errors.Is(first, errBoom) || !strings.HasPrefix(first.Error(), "flv: write: ") {
				t.Fatalf("error %v, want a flv: write: error wrapping %v", first, errBoom)
			}
			writes := w.writes
			if err := m.WriteFrame(videoFrame(v, ms(1000), false)); err != first || w.writes != writes {
				t.Errorf("after the error: %v and %d more writes", err, w.writes-writes)
			}
		})
	}
}

// shortWriter reports writing one byte less than asked, with no error.
type shortWriter struct{}

func (shortWriter) Write(p []byte) (int, error) { return max(len(p)-1, 0), nil }

func TestMuxerShortWrite(t *testing.T) {
	m := NewMuxer(shortWriter{}, MuxerConfig{HasVideo: true})
	if err := m.WriteFrame(videoFrame(testVideoInfo(640, 360), 0, true)); err == nil || !strings.Contains(err.Error(), "short write") {
		t.Fatalf("WriteFrame: %v, want a short write error", err)
	}
}

// countWriter counts writes and bytes.
type countWriter struct{ writes, bytes int }

func (w *countWriter) Write(p []byte) (int, error) {
	w.writes++
	w.bytes += len(p)
	return len(p), nil
}

func TestMuxerSteadyState(t *testing.T) {
	tests := []struct {
		name string
		cfg  MuxerConfig
		next func(i int) *media.Frame
	}{
		{"video", MuxerConfig{HasVideo: true}, func() func(int) *media.Frame {
			v := testVideoInfo(640, 360)
			f := videoFrame(v, 0, false)
			return func(i int) *media.Frame { f.PTS = ms(40 * (i + 1)); return f }
		}()},
		{"AAC", MuxerConfig{HasAudio: true}, func() func(int) *media.Frame {
			f := audioFrame(media.CodecAAC, testAACInfo(), 0)
			return func(i int) *media.Frame { f.PTS = ms(64 * (i + 1)); return f }
		}()},
		{"A-law", MuxerConfig{HasAudio: true}, func() func(int) *media.Frame {
			f := audioFrame(media.CodecG711A, nil, 0)
			return func(i int) *media.Frame { f.PTS = ms(20 * (i + 1)); return f }
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &countWriter{}
			m := NewMuxer(w, tt.cfg)
			start := tt.next(-1)
			start.Key = true
			if err := m.WriteFrame(start); err != nil {
				t.Fatal(err)
			}
			start.Key = false
			i := 0
			allocs := testing.AllocsPerRun(100, func() {
				if err := m.WriteFrame(tt.next(i)); err != nil {
					t.Fatal(err)
				}
				i++
			})
			if allocs != 0 {
				t.Errorf("%v allocations per frame, want 0", allocs)
			}
			w.writes = 0
			if err := m.WriteFrame(tt.next(i)); err != nil {
				t.Fatal(err)
			}
			if w.writes > 3 {
				t.Errorf("%d writes per frame, want at most 3", w.writes)
			}
		})
	}
}
