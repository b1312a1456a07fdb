package agent

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/codec/aac"
	"github.com/p2pcam/p2pcam/codec/g711"
	"github.com/p2pcam/p2pcam/internal/clock"
	"github.com/p2pcam/p2pcam/link"
	"github.com/p2pcam/p2pcam/media"
)

const ms = time.Millisecond

// A track feed's stamps: live frames keep their time; the backlog a
// subscription starts with is squeezed just before its newest frame, and
// after whatever an earlier feed sent; stamps always increase.
func TestTrackTime(t *testing.T) {
	type step struct {
		restart bool          // start a subscription whose cache ends at until
		until   time.Duration // with restart: 0 means no cache
		pts     time.Duration // otherwise: a frame
		want    time.Duration // its stamp; -1: only check it increases
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"no cache: live as is", []step{{restart: true}, {pts: 1000 * ms, want: 1000 * ms}, {pts: 1040 * ms, want: 1040 * ms}}},
		{"first feed: a 1 s backlog squeezed into 1/16 of it", []step{
			{restart: true, until: 2000 * ms},
			{pts: 1000 * ms, want: 1937500 * time.Microsecond},
			{pts: 1500 * ms, want: -1},
			{pts: 2000 * ms, want: 2000 * ms},
			{pts: 2040 * ms, want: 2040 * ms},
		}},
		{"resend: the cached GOP again, after the latest frame sent", []step{
			{restart: true}, {pts: 2000 * ms, want: 2000 * ms}, {pts: 2040 * ms, want: 2040 * ms},
			{restart: true, until: 2040 * ms},
			{pts: 1000 * ms, want: -1}, {pts: 1040 * ms, want: -1}, {pts: 2040 * ms, want: 2041 * ms},
			{pts: 2080 * ms, want: 2080 * ms},
		}},
		{"switch to a quality whose cache ends earlier", []step{
			{restart: true}, {pts: 5000 * ms, want: 5000 * ms},
			{restart: true, until: 4990 * ms},
			{pts: 4500 * ms, want: -1}, {pts: 4990 * ms, want: 5001 * ms},
			{pts: 5030 * ms, want: 5030 * ms},
		}},
		{"a lone cached keyframe", []step{{restart: true, until: 700 * ms}, {pts: 700 * ms, want: 700 * ms}, {pts: 740 * ms, want: 740 * ms}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c trackTime
			var last time.Duration
			first := true
			for i, s := range tt.steps {
				if s.restart {
					c.restart(s.until, s.until != 0)
					continue
				}
				got := c.stamp(s.pts)
				if !first && got <= last {
					t.Errorf("step %d: stamp %v after %v", i, got, last)
				}
				if s.want >= 0 && (got-s.want).Abs() > time.Microsecond {
					t.Errorf("step %d: stamp(%v) = %v, want %v", i, s.pts, got, s.want)
				}
				last, first = got, false
			}
		})
	}
}

// aacTone encodes n frames of a tone of freq Hz at 16 kHz.
func aacTone(t testing.TB, freq float64, n int) []*media.Frame {
	enc, err := aac.NewEncoder(aac.EncoderConfig{SampleRate: 16000, Channels: 1, Bitrate: 32000})
	if err != nil {
		t.Fatal(err)
	}
	asc, _ := enc.Config().Marshal()
	info := &media.AudioInfo{Codec: media.CodecAAC, SampleRate: 16000, Channels: 1, Config: asc}
	var out []*media.Frame
	buf := make([]int16, aac.SamplesPerFrame)
	for i := 0; len(out) < n; i++ {
		for j := range buf {
			buf[j] = int16(8000 * math.Sin(2*math.Pi*freq*float64(i*len(buf)+j)/16000))
		}
		p, err := enc.Encode(nil, buf)
		if err != nil {
			t.Fatal(err)
		}
		if len(p) > 0 {
			out = append(out, &media.Frame{Kind: media.KindAudio, Codec: media.CodecAAC, Key: true,
				PTS: time.Duration(len(out)) * 64 * ms, Payload: p, Audio: info})
		}
	}
	return out
}

// fitSNR returns the SNR of a tone of freq fitted to x, in dB.
func fitSNR(x []int16, rate int, freq float64) float64 {
	var ss, sc, cc, xs, xc float64
	for i, v := range x {
		s, c := math.Sincos(2 * math.Pi * freq * float64(i) / float64(rate))
		ss, cc, sc = ss+s*s, cc+c*c, sc+s*c
		xs, xc = xs+float64(v)*s, xc+float64(v)*c
	}
	det := ss*cc - sc*sc
	a, b := (xs*cc-xc*sc)/det, (xc*ss-xs*sc)/det
	var sig, noise float64
	for i, v := range x {
		s, c := math.Sincos(2 * math.Pi * freq * float64(i) / float64(rate))
		fit := a*s + b*c
		sig += fit * fit
		noise += (float64(v) - fit) * (float64(v) - fit)
	}
	return 10 * math.Log10(sig/noise)
}

// The microphone's AAC comes out as PCMA at 8 kHz, the same tone, 512
// samples a frame, on the same time base.
func TestPCMATranscode(t *testing.T) {
	for _, freq := range []float64{300, 440, 1000, 3000} {
		var tc pcmaTranscoder
		var pcm []int16
		for i, f := range aacTone(t, freq, 40) {
			out, err := tc.transcode(f)
			if err != nil {
				t.Fatal(err)
			}
			if out.Codec != media.CodecG711A || out.Audio.SampleRate != 8000 || len(out.Payload) != 512 || out.PTS != f.PTS-64*ms {
				t.Fatalf("frame %d: %v %d Hz, %d samples, pts %v", i, out.Codec, out.Audio.SampleRate, len(out.Payload), out.PTS)
			}
			pcm = g711.DecodeALaw(pcm, out.Payload)
		}
		snr := fitSNR(pcm[2048:], 8000, freq) // past the codec's start-up
		t.Logf("%4.0f Hz: SNR %.1f dB", freq, snr)
		if snr < 25 {
			t.Errorf("%v Hz: SNR %.1f dB, want at least 25", freq, snr)
		}
	}
	// G.711 passes through or is recoded.
	var tc pcmaTranscoder
	a := &media.Frame{Kind: media.KindAudio, Codec: media.CodecG711A, Payload: []byte{1, 2}, Audio: &media.AudioInfo{Codec: media.CodecG711A}}
	if out, _ := tc.transcode(a); out != a {
		t.Error("A-law not passed through")
	}
	u := &media.Frame{Kind: media.KindAudio, Codec: media.CodecG711U, Payload: g711.EncodeULaw(nil, []int16{1000, -1000}), Audio: &media.AudioInfo{Codec: media.CodecG711U}}
	if out, _ := tc.transcode(u); out == nil || out.Codec != media.CodecG711A || len(out.Payload) != 2 {
		t.Errorf("µ-law not recoded: %+v", out)
	}
}

// BenchmarkPCMATranscode is the camera's cost of the PCMA track audio: one
// 64 ms AAC frame decoded, resampled to 8 kHz and A-law coded. It runs
// once for all track viewers (the PCMA hub).
//
//	go test -run X -bench PCMATranscode ./agent/
func BenchmarkPCMATranscode(b *testing.B) {
	frames := aacTone(b, 440, 64)
	var tc pcmaTranscoder
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := tc.transcode(frames[i%len(frames)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
	perFrame := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	b.ReportMetric(perFrame/64e6*100, "%cpu-of-1-core")
}

// The viewer's audio packets for talkback: a late or repeated packet is
// dropped, a gap in the timestamps is silence.
func TestRTPAudio(t *testing.T) {
	packets := make(chan link.AudioPacket, 16)
	for _, p := range []struct {
		seq uint16
		ts  uint32
	}{{65534, 1000}, {65535, 1160}, {65535, 1160}, {1, 1480}, {0, 1320}, {2, 1640}} {
		packets <- link.AudioPacket{Codec: media.CodecG711A, Payload: make([]byte, 160), Seq: p.seq, TS: p.ts}
	}
	r := &rtpAudio{packets: packets}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	var gaps []int
	for range 4 {
		_, _, gap, err := r.ReadFrame(ctx)
		if err != nil {
			t.Fatal(err)
		}
		gaps = append(gaps, gap)
	}
	if want := []int{0, 0, 160, 0}; !equalInts(gaps, want) {
		t.Errorf("gaps %v, want %v (seq 0 comes after 1: dropped)", gaps, want)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// The PCMA frames are stamped with the time they were heard: a sound
// that starts at the 10th frame of the microphone starts at the 10th
// frame's time in the PCMA, within the codec's transition, although the
// AAC decoder puts out each frame one frame late (the tracks' audio
// stays in step with the video).
func TestPCMATranscodeKeepsTime(t *testing.T) {
	enc, err := aac.NewEncoder(aac.EncoderConfig{SampleRate: 16000, Channels: 1, Bitrate: 32000, BlockSwitching: true})
	if err != nil {
		t.Fatal(err)
	}
	asc, _ := enc.Config().Marshal()
	info := &media.AudioInfo{Codec: media.CodecAAC, SampleRate: 16000, Channels: 1, Config: asc}
	// As capture.Audio stamps them: the n-th packet out has the time of
	// the n-th frame in.
	var tc pcmaTranscoder
	var pcm []int16
	in := make([]int16, aac.SamplesPerFrame)
	emitted := 0
	var start time.Duration
	for i := 0; i < 30; i++ {
		for j := range in {
			in[j] = 0
			if i >= 10 {
				in[j] = int16(8000 * math.Sin(2*math.Pi*500*float64(i*len(in)+j)/16000))
			}
		}
		p, err := enc.Encode(nil, in)
		if err != nil {
			t.Fatal(err)
		}
		if len(p) == 0 {
			continue
		}
		out, err := tc.transcode(&media.Frame{Kind: media.KindAudio, Codec: media.CodecAAC, Key: true, PTS: time.Duration(emitted) * 64 * ms, Payload: p, Audio: info})
		if err != nil {
			t.Fatal(err)
		}
		emitted++
		if len(pcm) == 0 {
			start = out.PTS // the time of the first PCMA sample
		}
		pcm = g711.DecodeALaw(pcm, out.Payload)
	}
	onset := -1
	for i, s := range pcm {
		if s > 2000 || s < -2000 {
			onset = i
			break
		}
	}
	want := int((10*64*ms - start) / (ms / 8)) // 10 frames in, from the first sample's time
	t.Logf("onset at PCMA sample %d, the sound starts at %d: %+.1f ms", onset, want, float64(onset-want)/8)
	if onset < 0 || onset < want-256 || onset > want+256 {
		t.Errorf("onset at sample %d, want %d ± 256 (32 ms)", onset, want)
	}
}

// A viewer's keyframe requests: an encoder that can make keyframes is
// asked, at most once per keyframe interval for all its viewers; a source
// that cannot has the feed resend its cached GOP, at most once per
// interval per feed.
func TestKeyframeRequests(t *testing.T) {
	steps := []struct {
		after       time.Duration
		withEncoder int
		without     int
	}{
		{0, keyframeAsked, keyframeResend},
		{100 * ms, keyframeNone, keyframeNone},
		{keyframeInterval - 200*ms, keyframeNone, keyframeNone},
		{100 * ms, keyframeAsked, keyframeResend},
		{keyframeInterval / 2, keyframeNone, keyframeNone},
	}
	clk := clock.NewFake(lagEpoch)
	src := &forcingSource{chanSource: make(chanSource)}
	with := &keyframeRequests{encoder: newKeyframeAsker(src, clk), clock: clk}
	without := &keyframeRequests{encoder: newKeyframeAsker(make(chanSource), clk), clock: clk}
	for i, s := range steps {
		clk.Advance(s.after)
		if got := with.request(); got != s.withEncoder {
			t.Errorf("step %d (+%v) with an encoder: %d, want %d", i, s.after, got, s.withEncoder)
		}
		if got := without.request(); got != s.without {
			t.Errorf("step %d (+%v) without: %d, want %d", i, s.after, got, s.without)
		}
	}
	if n := src.asked.Load(); n != 2 {
		t.Errorf("encoder asked %d times, want 2", n)
	}
}
