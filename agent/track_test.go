package agent

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/codec/g711"
	"github.com/p2pcam/p2pcam/internal/clock"
	"github.com/p2pcam/p2pcam/internal/mediatest"
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

// tone is 20 ms of a tone of freq Hz at rate, the i-th such block.
func tone(freq float64, rate, i int) []int16 {
	n := rate / 50
	s := make([]int16, n)
	for j := range s {
		s[j] = int16(8000 * math.Sin(2*math.Pi*freq*float64(i*n+j)/float64(rate)))
	}
	return s
}

// The microphone's samples come out of the tap as PCMA at 8 kHz, the same
// tone, 160 samples (a packet) per 20 ms read, with the reads' times;
// nothing while no PCMA source listens.
func TestPCMATap(t *testing.T) {
	var tap pcmaTap
	tap.push(0, 16000, tone(440, 16000, 0)) // nobody listens: dropped
	for _, rate := range []int{16000, 8000} {
		for _, freq := range []float64{300, 440, 1000, 3000} {
			frames := make(chan *media.Frame, 100)
			stop := tap.listen(frames)
			for i := range 50 {
				tap.push(time.Duration(i)*20*ms, rate, tone(freq, rate, i))
			}
			stop()
			tap.push(time.Second, rate, tone(freq, rate, 50)) // after stop: dropped
			close(frames)
			var pcm []int16
			i := 0
			for f := range frames {
				if f.Codec != media.CodecG711A || f.Audio.SampleRate != 8000 || len(f.Payload) != 160 || f.PTS != time.Duration(i)*20*ms {
					t.Fatalf("%d Hz in: frame %d: %v %d Hz, %d samples, pts %v", rate, i, f.Codec, f.Audio.SampleRate, len(f.Payload), f.PTS)
				}
				pcm = g711.DecodeALaw(pcm, f.Payload)
				i++
			}
			if i != 50 {
				t.Fatalf("%d frames out of 50 reads", i)
			}
			snr := mediatest.ToneSNR(pcm[80:], 8000, freq)
			t.Logf("%d Hz in, %4.0f Hz: SNR %.1f dB", rate, freq, snr)
			if snr < 25 {
				t.Errorf("%d Hz in, %v Hz: SNR %.1f dB, want at least 25", rate, freq, snr)
			}
		}
	}
}

// BenchmarkPCMATap is the camera's cost of the audio of media tracks: one
// 20 ms read of the 16 kHz microphone resampled to 8 kHz and A-law coded,
// once for all track viewers (the PCMA hub).
//
//	go test -run X -bench PCMATap ./agent/
func BenchmarkPCMATap(b *testing.B) {
	var tap pcmaTap
	frames := make(chan *media.Frame, 1)
	defer tap.listen(frames)()
	in := tone(440, 16000, 0)
	b.ReportAllocs()
	for b.Loop() {
		tap.push(0, 16000, in)
		<-frames
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/20e6*100, "%cpu-of-1-core")
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
	if want := []int{0, 0, 160, 0}; !slices.Equal(gaps, want) {
		t.Errorf("gaps %v, want %v (seq 0 comes after 1: dropped)", gaps, want)
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
