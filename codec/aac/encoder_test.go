package aac

import (
	"errors"
	"fmt"
	"testing"
)

// encodeAll encodes pcm (whole frames, zero-padded) with our encoder and
// returns the raw blocks, including the flush blocks.
func encodeAll(t testing.TB, enc *Encoder, pcm []int16) [][]byte {
	t.Helper()
	nch := enc.Config().Channels
	n := SamplesPerFrame * nch
	var frames [][]byte
	for i := 0; i < len(pcm); i += n {
		chunk := pcm[i:min(i+n, len(pcm))]
		if len(chunk) < n {
			chunk = append(append([]int16(nil), chunk...), make([]int16, n-len(chunk))...)
		}
		f, err := enc.Encode(nil, chunk)
		if err != nil {
			t.Fatal(err)
		}
		if len(f) > 0 { // block switching's first call appends nothing
			frames = append(frames, f)
		}
	}
	for {
		f, err := enc.Flush(nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(f) == 0 {
			return frames
		}
		frames = append(frames, f)
	}
}

// toADTS frames raw blocks with ADTS headers.
func toADTS(t testing.TB, cfg Config, frames [][]byte) []byte {
	t.Helper()
	var out []byte
	for _, f := range frames {
		var err error
		out, err = AppendADTSHeader(out, cfg, len(f))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, f...)
	}
	return out
}

// encodeCase is one signal encoded by our encoder.
type encodeCase struct {
	sig      signal
	rate, ch int
	bitrate  int
	// minSNR is the least SNR against the source after ffmpeg decodes our
	// stream, a few dB below the value measured when the test was written
	// (logged on every run): the flat-noise rate loop spends the bits on
	// SNR, so tones reach 40-55 dB and the dense speech-like signal 20-30.
	minSNR float64
}

var encodeCases = []encodeCase{
	{sigTone440, 16000, 1, 32000, 45},
	{sigTone1k, 16000, 1, 32000, 45},
	{sigTwoTone, 16000, 1, 32000, 40},
	{sigSpeech, 16000, 1, 32000, 24},
	{sigTone440, 8000, 1, 32000, 45},
	{sigTwoTone, 8000, 1, 16000, 30},
	{sigSpeech, 8000, 1, 24000, 20},
	{sigTone1k, 44100, 1, 64000, 40},
	{sigSpeech, 48000, 1, 64000, 20},
	{sigTone440, 16000, 2, 64000, 40},
	{sigSpeech, 16000, 2, 64000, 20},
	{sigTwoTone, 48000, 2, 128000, 35},
	{sigSpeech, 44100, 2, 128000, 20},
	{sigClicks, 16000, 1, 32000, 7}, // white bursts: the 7 kHz band limit alone caps it at 9 dB
}

// TestEncodeFFmpegDecodes encodes with our encoder, has ffmpeg decode the
// ADTS stream with -xerror (any message fails the test), and checks the
// SNR against the source after the 1024-sample delay, the bitrate, and
// the round trip through our own decoder, which must match ffmpeg's.
func TestEncodeFFmpegDecodes(t *testing.T) {
	for _, c := range encodeCases {
		for _, bs := range []bool{false, true} {
			name := fmt.Sprintf("%s/%dHz/%dch/%dk", c.sig.name, c.rate, c.ch, c.bitrate/1000)
			if bs {
				name += "/switching"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				testEncodeFFmpegDecodes(t, c, bs, name)
			})
		}
	}
}

// testEncodeFFmpegDecodes runs one case of TestEncodeFFmpegDecodes with
// or without block switching.
func testEncodeFFmpegDecodes(t *testing.T, c encodeCase, switching bool, name string) {
	enc, err := NewEncoder(EncoderConfig{SampleRate: c.rate, Channels: c.ch, Bitrate: c.bitrate, BlockSwitching: switching})
	if err != nil {
		t.Fatal(err)
	}
	pcm := c.sig.gen(c.rate, c.ch, 2*c.rate)
	frames := encodeAll(t, enc, pcm)
	raw := 0
	for _, f := range frames {
		raw += 8 * len(f)
	}
	kbps := float64(raw) / float64(len(frames)) * float64(c.rate) / 1024 / 1000
	adts := toADTS(t, enc.Config(), frames)
	theirs := ffmpegDecode(t, adts)
	ours, dec := decodeADTS(t, adts)
	// Block switching must not trigger on steady tones and must on the
	// castanets-like clicks. The speech-like signal's syllable envelope
	// falls to digital zero four times a second, so a syllable may start
	// with an attack; there only its SNR floor applies.
	switch {
	case c.sig.name == sigSpeech.name:
	case switching && c.sig.name == sigClicks.name:
		if dec.stats.short == 0 {
			t.Errorf("no short frames in %d", dec.stats.frames)
		}
	case dec.stats.short > 0:
		t.Errorf("%d short frames of %d", dec.stats.short, dec.stats.frames)
	}
	if len(theirs) != len(frames)*SamplesPerFrame*c.ch {
		t.Fatalf("ffmpeg decoded %d samples from %d frames", len(theirs), len(frames))
	}
	v, d := bestSNR(pcm, theirs, c.ch, 0, 2048, 0)
	rt := snr(pcm, ours[d*c.ch:], 0)
	same := snr(theirs, ours, 0)
	t.Logf("%s: %.1f kbit/s; SNR vs source %.1f dB at delay %d (our decoder %.1f dB; ours vs ffmpeg decode %.1f dB); %d of %d frames short", name, kbps, v, d, rt, same, dec.stats.short, dec.stats.frames)
	if d != SamplesPerFrame {
		t.Errorf("delay %d, want %d", d, SamplesPerFrame)
	}
	if v < c.minSNR {
		t.Errorf("SNR %.1f dB < %.0f", v, c.minSNR)
	}
	if same < 60 {
		t.Errorf("our decoder and ffmpeg's differ: %.1f dB", same)
	}
	if want := float64(c.bitrate) / 1000; kbps > want*1.02 {
		t.Errorf("%.1f kbit/s over the %v kbit/s target", kbps, want)
	}
}

func TestEncoderConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  EncoderConfig
		want Config
		err  error
	}{
		{"default", EncoderConfig{}, Config{ObjectType: 2, SampleRate: 16000, SampleRateIndex: 8, Channels: 1}, nil},
		{"48k stereo", EncoderConfig{SampleRate: 48000, Channels: 2, Bitrate: 128000}, Config{ObjectType: 2, SampleRate: 48000, SampleRateIndex: 3, Channels: 2}, nil},
		{"odd rate", EncoderConfig{SampleRate: 15000}, Config{}, ErrUnsupported},
		{"three channels", EncoderConfig{Channels: 3}, Config{}, ErrUnsupported},
		{"too low bitrate", EncoderConfig{Bitrate: 1000}, Config{}, ErrUnsupported},
		{"too high bitrate", EncoderConfig{SampleRate: 8000, Bitrate: 100000}, Config{}, ErrUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc, err := NewEncoder(tt.cfg)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err %v, want %v", err, tt.err)
			}
			if err == nil && enc.Config() != tt.want {
				t.Fatalf("config %+v, want %+v", enc.Config(), tt.want)
			}
		})
	}
	enc, _ := NewEncoder(EncoderConfig{})
	if _, err := enc.Encode(nil, make([]int16, 1000)); !errors.Is(err, ErrFrameSize) {
		t.Fatalf("short frame: %v, want ErrFrameSize", err)
	}
}

// TestEncodeSilenceAndClipping codes silence, full-scale square waves and
// alternating extremes, which stress the escape codebook and gain range.
func TestEncodeSilenceAndClipping(t *testing.T) {
	tests := []struct {
		name string
		gen  func(i int) int16
	}{
		{"silence", func(int) int16 { return 0 }},
		{"square", func(i int) int16 {
			if i/20%2 == 0 {
				return 32767
			}
			return -32768
		}},
		{"nyquist", func(i int) int16 {
			if i%2 == 0 {
				return 32767
			}
			return -32768
		}},
		{"dc", func(int) int16 { return 30000 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc, err := NewEncoder(EncoderConfig{SampleRate: 16000, Channels: 1, Bitrate: 32000})
			if err != nil {
				t.Fatal(err)
			}
			pcm := make([]int16, 8*SamplesPerFrame)
			for i := range pcm {
				pcm[i] = tt.gen(i)
			}
			frames := encodeAll(t, enc, pcm)
			adts := toADTS(t, enc.Config(), frames)
			ffmpegDecode(t, adts) // fails on any ffmpeg message
			decodeADTS(t, adts)
		})
	}
}
