package pcm

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

func TestWAVRoundTrip(t *testing.T) {
	tests := []Format{{8000, 1}, {16000, 1}, {44100, 2}, {48000, 2}}
	for _, f := range tests {
		samples := make([]int16, 1000*f.Channels)
		for i := range samples {
			samples[i] = int16(i*37 - 5000)
		}
		b := AppendSamples(AppendWAVHeader(nil, f, len(samples)), samples)
		r, err := NewWAVReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if r.Format != f {
			t.Errorf("format %+v, want %+v", r.Format, f)
		}
		var got []int16
		buf := make([]int16, 333)
		for {
			n, err := r.Read(buf)
			got = append(got, buf[:n]...)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if !equal(got, samples) {
			t.Errorf("%+v: samples differ", f)
		}
	}
}

func equal(a, b []int16) bool {
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

func TestNotWAV(t *testing.T) {
	for _, in := range []string{"", "RIFF", "RIFF\x00\x00\x00\x00AVI ", "RIFF\x24\x00\x00\x00WAVEdata\x00\x00\x00\x00"} {
		if _, err := NewWAVReader(bytes.NewReader([]byte(in))); !errors.Is(err, ErrNotWAV) {
			t.Errorf("%q: %v, want ErrNotWAV", in, err)
		}
	}
}

func TestResamplerLength(t *testing.T) {
	tests := []struct{ inRate, inCh, outRate, outCh int }{
		{8000, 1, 16000, 1}, {16000, 1, 48000, 2}, {48000, 2, 8000, 1}, {44100, 2, 16000, 1}, {16000, 1, 16000, 1},
	}
	for _, tt := range tests {
		r := NewResampler(tt.inRate, tt.inCh, tt.outRate, tt.outCh)
		in := make([]int16, tt.inRate/50*tt.inCh) // 20 ms blocks
		var out []int16
		for range 100 { // 2 s
			out = r.Convert(out, in)
		}
		frames := len(out) / tt.outCh
		want := 2 * tt.outRate
		if frames < want-2 || frames > want+2 {
			t.Errorf("%+v: %d frames out of 2 s, want %d", tt, frames, want)
		}
	}
}

func FuzzWAVReader(f *testing.F) {
	f.Add(AppendSamples(AppendWAVHeader(nil, Format{16000, 1}, 4), []int16{1, 2, 3, 4}))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := NewWAVReader(bytes.NewReader(b))
		if err != nil {
			return
		}
		buf := make([]int16, 64)
		for range 1 + len(b)/64 {
			if _, err := r.Read(buf); err != nil {
				return
			}
		}
	})
}
