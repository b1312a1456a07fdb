package talkback_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/capture/alsa"
	"github.com/p2pcam/p2pcam/capture/alsa/alsatest"
	"github.com/p2pcam/p2pcam/codec/aac"
	"github.com/p2pcam/p2pcam/codec/g711"
	"github.com/p2pcam/p2pcam/media"
	"github.com/p2pcam/p2pcam/mux/flv"
	"github.com/p2pcam/p2pcam/talkback"
)

// tone returns n samples of a sine at freq Hz, amplitude 0.5.
func tone(rate, n int, freq float64) []int16 {
	s := make([]int16, n)
	for i := range s {
		s[i] = int16(16000 * math.Sin(2*math.Pi*freq*float64(i)/float64(rate)))
	}
	return s
}

// snrOfTone fits a sine of freq to x (after skipping the first skip
// samples) and returns the ratio of its power to the residual's, in dB.
func snrOfTone(x []int16, rate int, freq float64, skip int) float64 {
	x = x[skip:]
	var ss, sc, cc, xs, xc float64
	for i, v := range x {
		ph := 2 * math.Pi * freq * float64(i) / float64(rate)
		s, c := math.Sin(ph), math.Cos(ph)
		ss += s * s
		cc += c * c
		sc += s * c
		xs += float64(v) * s
		xc += float64(v) * c
	}
	det := ss*cc - sc*sc
	a := (xs*cc - xc*sc) / det
	b := (xc*ss - xs*sc) / det
	var sig, noise float64
	for i, v := range x {
		ph := 2 * math.Pi * freq * float64(i) / float64(rate)
		fit := a*math.Sin(ph) + b*math.Cos(ph)
		sig += fit * fit
		noise += (float64(v) - fit) * (float64(v) - fit)
	}
	return 10 * math.Log10(sig/noise)
}

// flvAudio muxes audio frames into an audio-only FLV stream.
func flvAudio(t *testing.T, frames []*media.Frame) []byte {
	var b bytes.Buffer
	m := flv.NewMuxer(&b, flv.MuxerConfig{HasAudio: true})
	for _, f := range frames {
		if err := m.WriteFrame(f); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

func g711Stream(t *testing.T, pcm []int16, ulaw bool) []byte {
	info := &media.AudioInfo{Codec: media.CodecG711A, SampleRate: 8000, Channels: 1}
	if ulaw {
		info.Codec = media.CodecG711U
	}
	var frames []*media.Frame
	for i := 0; i+160 <= len(pcm); i += 160 {
		var payload []byte
		if ulaw {
			payload = g711.EncodeULaw(nil, pcm[i:i+160])
		} else {
			payload = g711.EncodeALaw(nil, pcm[i:i+160])
		}
		frames = append(frames, &media.Frame{Kind: media.KindAudio, Codec: info.Codec, Key: true,
			PTS: time.Duration(i) * time.Second / 8000, Payload: payload, Audio: info})
	}
	return flvAudio(t, frames)
}

func aacStream(t *testing.T, pcm []int16, rate int) []byte {
	enc, err := aac.NewEncoder(aac.EncoderConfig{SampleRate: rate, Channels: 1, Bitrate: 32000})
	if err != nil {
		t.Fatal(err)
	}
	asc, err := enc.Config().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	info := &media.AudioInfo{Codec: media.CodecAAC, SampleRate: rate, Channels: 1, Config: asc}
	var frames []*media.Frame
	add := func(payload []byte, i int) {
		frames = append(frames, &media.Frame{Kind: media.KindAudio, Codec: media.CodecAAC, Key: true,
			PTS: time.Duration(i) * time.Second / time.Duration(rate), Payload: payload, Audio: info})
	}
	for i := 0; i+aac.SamplesPerFrame <= len(pcm); i += aac.SamplesPerFrame {
		out, err := enc.Encode(nil, pcm[i:i+aac.SamplesPerFrame])
		if err != nil {
			t.Fatal(err)
		}
		if len(out) > 0 {
			add(out, i)
		}
	}
	out, err := enc.Flush(nil)
	if err != nil {
		t.Fatal(err)
	}
	add(out, len(pcm))
	return flvAudio(t, frames)
}

// newTalkback plays into spk. The tests send whole streams at once, far
// faster than real time, so the latency bound is lifted: nothing is
// dropped (TestLatencyBound checks the dropping).
func newTalkback(spk *alsatest.Sink) *talkback.Talkback {
	return talkback.New(talkback.Config{OpenSpeaker: func() (alsa.Player, error) { return spk, nil }, MaxLatency: time.Minute})
}

// Each codec plays at the speaker's rate and channels for as long as it
// was sent, with the tone intact.
func TestPlays(t *testing.T) {
	const seconds = 2
	// Thresholds: G.711 alone keeps a tone at about 38 dB; the linear
	// interpolation that upsamples 8 kHz costs up to 10 dB more at 1 kHz
	// (images near the old Nyquist rate). 25 dB is still clean speech on a
	// camera's speaker. AAC at 32 kbps keeps a 440 Hz tone above 40 dB.
	tests := []struct {
		name    string
		stream  func(t *testing.T) []byte
		freq    float64
		speaker alsa.Params
		minSNR  float64
	}{
		{"a-law to 16k mono", func(t *testing.T) []byte { return g711Stream(t, tone(8000, seconds*8000, 1000), false) }, 1000,
			alsa.Params{Rate: 16000, Channels: 1}, 25},
		{"mu-law to 48k stereo", func(t *testing.T) []byte { return g711Stream(t, tone(8000, seconds*8000, 440), true) }, 440,
			alsa.Params{Rate: 48000, Channels: 2}, 30},
		{"aac 16k to 48k stereo", func(t *testing.T) []byte { return aacStream(t, tone(16000, seconds*16000, 440), 16000) }, 440,
			alsa.Params{Rate: 48000, Channels: 2}, 40},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spk := alsatest.NewSink(tt.speaker)
			spk.Speed = 8 // the fake speaker plays 8 times as fast
			st, err := newTalkback(spk).Serve(context.Background(), bytes.NewReader(tt.stream(t)), nil)
			if err != nil {
				t.Fatal(err)
			}
			got := spk.Samples()
			p := spk.Params()
			dur := time.Duration(len(got)/p.Channels) * time.Second / time.Duration(p.Rate)
			if dur < seconds*time.Second-100*time.Millisecond || dur > seconds*time.Second+150*time.Millisecond {
				t.Errorf("played %v, want about %ds (stats %+v)", dur, seconds, st)
			}
			mono := make([]int16, 0, len(got)/p.Channels)
			for i := 0; i < len(got); i += p.Channels {
				mono = append(mono, got[i])
			}
			if snr := snrOfTone(mono[:len(mono)*9/10], p.Rate, tt.freq, p.Rate/10); snr < tt.minSNR {
				t.Errorf("SNR %.1f dB, want at least %.0f", snr, tt.minSNR)
			} else {
				t.Logf("played %v, SNR %.1f dB, first sound after %v", dur, snr, st.FirstSound)
			}
		})
	}
}

// A talk is heard to its end: when the talker stops, the speaker plays
// out its buffer before it is closed (closing drops what it holds).
func TestPlaysToTheEnd(t *testing.T) {
	tests := []struct {
		name   string
		stream []byte
		quiet  bool          // the talker goes quiet instead of ending the stream
		want   time.Duration // of audio sent
	}{
		{"stream ends", g711Stream(t, tone(8000, 1600, 1000), false), false, 200 * time.Millisecond},
		{"shorter than the speaker's buffer", g711Stream(t, tone(8000, 320, 1000), true), false, 40 * time.Millisecond},
		{"talker goes quiet", g711Stream(t, tone(8000, 1600, 1000), false), true, 200 * time.Millisecond},
		{"aac stream ends", aacStream(t, tone(16000, 4096, 440), 16000), false, 320 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Real time, so that the speaker's 80 ms buffer is still
			// full when the talker stops.
			spk := alsatest.NewSink(alsa.Params{Rate: 16000, Channels: 1, PeriodFrames: 320, BufferFrames: 1280})
			tb := talkback.New(talkback.Config{
				OpenSpeaker: func() (alsa.Player, error) { return spk, nil },
				MaxLatency:  time.Minute,
				IdleTimeout: 100 * time.Millisecond,
			})
			var r io.Reader = bytes.NewReader(tt.stream)
			if tt.quiet {
				q := &blockingReader{r: r, stop: make(chan struct{})}
				defer close(q.stop)
				r = q
			}
			st, err := tb.Serve(context.Background(), r, nil)
			if tt.quiet != errors.Is(err, talkback.ErrIdle) || !tt.quiet && err != nil {
				t.Fatalf("Serve = %v", err)
			}
			if n := spk.Dropped(); n != 0 {
				t.Errorf("the speaker was closed with %v still to play (stats %+v)", spk.Params().Duration(n), st)
			}
			// The 8 to 16 kHz resampler holds back its last sample.
			if got := spk.Params().Duration(len(spk.Samples())); got < tt.want-time.Millisecond {
				t.Errorf("played %v, want the %v sent", got, tt.want)
			}
		})
	}
}

// A talker whose audio stops coming for longer than the jitter buffer
// and the speaker's buffer hold is heard with a gap: talkback counts the
// speaker's underruns.
func TestCountsUnderruns(t *testing.T) {
	stream := g711Stream(t, tone(8000, 3200, 1000), false) // 400 ms
	tests := []struct {
		name  string
		stall time.Duration // halfway through the stream
		want  func(int) bool
	}{
		{"smooth", 0, func(n int) bool { return n == 0 }},
		{"talker stalls", 300 * time.Millisecond, func(n int) bool { return n >= 1 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spk := alsatest.NewSink(alsa.Params{Rate: 16000, Channels: 1, PeriodFrames: 320, BufferFrames: 1280})
			half := len(stream) / 2
			r := io.MultiReader(bytes.NewReader(stream[:half]), stallReader(tt.stall), bytes.NewReader(stream[half:]))
			st, err := talkback.New(talkback.Config{OpenSpeaker: func() (alsa.Player, error) { return spk, nil }}).Serve(context.Background(), r, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.want(st.Underruns) {
				t.Errorf("Underruns = %d (the speaker's count: %d)", st.Underruns, spk.XRuns())
			}
		})
	}
}

// stallReader waits d, as a network that stalls, then ends.
type stallReader time.Duration

func (d stallReader) Read([]byte) (int, error) {
	time.Sleep(time.Duration(d))
	return 0, io.EOF
}

// blockingReader serves b, then blocks until closed.
type blockingReader struct {
	r    io.Reader
	stop chan struct{}
}

func (b *blockingReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err == io.EOF {
		<-b.stop
		return 0, io.EOF
	}
	return n, err
}

// One talker at a time; a talker that goes quiet frees the speaker.
func TestOneTalkerAndIdle(t *testing.T) {
	spk := alsatest.NewSink(alsa.Params{Rate: 16000, Channels: 1})
	tb := talkback.New(talkback.Config{OpenSpeaker: func() (alsa.Player, error) { return spk, nil }, IdleTimeout: 500 * time.Millisecond})
	stream := g711Stream(t, tone(8000, 4000, 1000), false)
	quiet := &blockingReader{r: bytes.NewReader(stream), stop: make(chan struct{})}
	defer close(quiet.stop)
	done := make(chan error, 1)
	start := time.Now()
	go func() {
		_, err := tb.Serve(context.Background(), quiet, nil)
		done <- err
	}()
	for !tb.Busy() {
		time.Sleep(time.Millisecond)
	}
	if _, err := tb.Serve(context.Background(), bytes.NewReader(stream), nil); !errors.Is(err, talkback.ErrBusy) {
		t.Fatalf("second talker: %v, want ErrBusy", err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, talkback.ErrIdle) {
			t.Fatalf("quiet talker ended with %v, want ErrIdle", err)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("speaker freed after %v", took)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a quiet talker kept the speaker")
	}
	if tb.Busy() {
		t.Error("still busy after the talker left")
	}
}

// What vendor apps send: wall-clock timestamps, AAC tags padded with
// zeros, and garbage that is not FLV.
func TestQuirks(t *testing.T) {
	pcm := tone(16000, 16000, 440)
	clean := aacStream(t, pcm, 16000)
	// Rewrite: wall-clock timestamps and zero padding on every raw tag.
	d := flv.NewDemuxer(bytes.NewReader(clean))
	h, err := d.ReadHeader()
	if err != nil {
		t.Fatal(err)
	}
	quirky := h.AppendTo(nil)
	wall := uint32(time.Now().UnixMilli())
	for {
		tag, err := d.ReadTag()
		if err != nil {
			break
		}
		data := append([]byte(nil), tag.Data...)
		if tag.Type == flv.TagTypeAudio && len(data) > 1 && data[1] == 1 {
			data = append(data, 0, 0, 0, 0)
		}
		quirky = flv.AppendTag(quirky, tag.Type, wall+tag.Timestamp, data)
	}
	spk := alsatest.NewSink(alsa.Params{Rate: 16000, Channels: 1})
	spk.Speed = 8
	st, err := newTalkback(spk).Serve(context.Background(), bytes.NewReader(quirky), nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.BadFrames > 0 || st.Played < 900*time.Millisecond {
		t.Errorf("stats %+v", st)
	}
	_, err = newTalkback(alsatest.NewSink(alsa.Params{})).Serve(context.Background(), bytes.NewReader([]byte("GET / HTTP/1.1\r\n\r\n")), nil)
	if !errors.Is(err, talkback.ErrFormat) {
		t.Errorf("garbage: %v, want ErrFormat", err)
	}
}

// A talker who sends faster than the speaker plays is kept within
// MaxLatency: the oldest audio is dropped.
func TestLatencyBound(t *testing.T) {
	spk := alsatest.NewSink(alsa.Params{Rate: 8000, Channels: 1})
	tb := talkback.New(talkback.Config{OpenSpeaker: func() (alsa.Player, error) { return spk, nil }, MaxLatency: 200 * time.Millisecond})
	st, err := tb.Serve(context.Background(), bytes.NewReader(g711Stream(t, tone(8000, 16000, 1000), false)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Dropped < time.Second || st.Played > time.Second {
		t.Errorf("stats %+v: want most of 2 s dropped", st)
	}
}

// frameList is talkback audio already cut into frames (a WebRTC audio
// track's packets), with the gaps before them.
type frameList struct {
	codec  media.Codec
	frames [][]byte
	gaps   []int
	i      int
}

func (f *frameList) ReadFrame(context.Context) (media.Codec, []byte, int, error) {
	if f.i == len(f.frames) {
		return 0, nil, 0, io.EOF
	}
	i := f.i
	f.i++
	return f.codec, f.frames[i], f.gaps[i], nil
}

// G.711 frames play like the FLV stream would, and a gap before a frame
// (packets lost on the way) is played as that much silence, so the
// talker's timing holds.
func TestServeFrames(t *testing.T) {
	for _, codec := range []media.Codec{media.CodecG711A, media.CodecG711U} {
		t.Run(codec.String(), func(t *testing.T) {
			pcm := tone(8000, 2*8000, 440)
			list := &frameList{codec: codec}
			for i := 0; i < len(pcm); i += 160 {
				if i/160 == 50 { // the 50th packet is lost: a 20 ms gap
					continue
				}
				gap := 0
				if i/160 == 51 {
					gap = 160
				}
				enc := g711.EncodeALaw
				if codec == media.CodecG711U {
					enc = g711.EncodeULaw
				}
				list.frames = append(list.frames, enc(nil, pcm[i:i+160]))
				list.gaps = append(list.gaps, gap)
			}
			spk := alsatest.NewSink(alsa.Params{Rate: 16000, Channels: 1})
			spk.Speed = 8
			st, err := newTalkback(spk).ServeFrames(context.Background(), list, nil)
			if err != nil {
				t.Fatal(err)
			}
			got := spk.Samples()
			dur := time.Duration(len(got)) * time.Second / 16000
			if dur < 1900*time.Millisecond || dur > 2150*time.Millisecond {
				t.Errorf("played %v, want about 2s with the lost packet's silence (stats %+v)", dur, st)
			}
			// The silence: 20 ms at 1 s, at 16 kHz.
			quiet := 0
			for _, s := range got[16000 : 16000+640] {
				if s > -300 && s < 300 {
					quiet++
				}
			}
			if quiet < 200 {
				t.Errorf("%d quiet samples where the lost packet was, want the 320 of its silence", quiet)
			}
			if snr := snrOfTone(got[:15000], 16000, 440, 1600); snr < 25 {
				t.Errorf("SNR %.1f dB before the gap, want at least 25", snr)
			}
		})
	}
}
