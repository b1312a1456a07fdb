package aac

import (
	"testing"
)

// BenchmarkEncode16kMono encodes speech-like 16 kHz mono at 32 kbit/s,
// one frame per op, and reports how many times faster than real time.
func BenchmarkEncode16kMono(b *testing.B) {
	benchEncode(b, EncoderConfig{SampleRate: 16000, Channels: 1, Bitrate: 32000}, sigSpeech)
}

// benchEncode encodes 16 frames of sig over and over, one frame per op.
func benchEncode(b *testing.B, cfg EncoderConfig, sig signal) {
	enc, err := NewEncoder(cfg)
	if err != nil {
		b.Fatal(err)
	}
	pcm := sig.gen(cfg.SampleRate, cfg.Channels, 16*SamplesPerFrame)
	n := SamplesPerFrame * cfg.Channels
	dst := make([]byte, 0, 8192)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		off := (i % 16) * n
		dst, err = enc.Encode(dst[:0], pcm[off:off+n])
		if err != nil {
			b.Fatal(err)
		}
		i++
	}
	perFrame := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(SamplesPerFrame)/float64(cfg.SampleRate)/perFrame, "x-realtime")
}

// BenchmarkDecode16kMono decodes that stream, one frame per op.
func BenchmarkDecode16kMono(b *testing.B) {
	enc, err := NewEncoder(EncoderConfig{SampleRate: 16000, Channels: 1, Bitrate: 32000})
	if err != nil {
		b.Fatal(err)
	}
	frames := encodeAll(b, enc, sigSpeech.gen(16000, 1, 16*SamplesPerFrame))
	dec, err := NewDecoder(enc.Config())
	if err != nil {
		b.Fatal(err)
	}
	out := make([]int16, 0, SamplesPerFrame)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		out, err = dec.Decode(out[:0], frames[i%len(frames)])
		if err != nil {
			b.Fatal(err)
		}
		i++
	}
	perFrame := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(SamplesPerFrame)/16000/perFrame, "x-realtime")
}

// BenchmarkEncode16kMonoSwitching encodes 16 kHz mono at 32 kbit/s with
// block switching: the speech-like signal (mostly long blocks) and the
// click train (mostly short blocks), one frame per op.
func BenchmarkEncode16kMonoSwitching(b *testing.B) {
	for _, sig := range []signal{sigSpeech, sigClicks} {
		b.Run(sig.name, func(b *testing.B) {
			benchEncode(b, EncoderConfig{SampleRate: 16000, Channels: 1, Bitrate: 32000, BlockSwitching: true}, sig)
		})
	}
}
