package aac

import (
	"errors"
	"slices"
	"testing"
)

// encodedFrames returns raw blocks of our encoder for a test signal.
func encodedFrames(t testing.TB, rate, ch, bitrate int, sig signal, seconds float64) (Config, [][]byte) {
	t.Helper()
	enc, err := NewEncoder(EncoderConfig{SampleRate: rate, Channels: ch, Bitrate: bitrate})
	if err != nil {
		t.Fatal(err)
	}
	return enc.Config(), encodeAll(t, enc, sig.gen(rate, ch, int(seconds*float64(rate))))
}

func TestNewDecoder(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		err  error
	}{
		{"16k mono", Config{2, 16000, 8, 1}, nil},
		{"explicit 15 kHz", Config{2, 15000, 15, 2}, nil},
		{"HE-AAC", Config{5, 24000, 6, 1}, ErrUnsupported},
		{"5.1", Config{2, 48000, 3, 6}, ErrUnsupported},
		{"no rate", Config{2, 0, 15, 1}, ErrUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := NewDecoder(tt.cfg)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err %v, want %v", err, tt.err)
			}
			if err == nil && d.Config() != tt.cfg {
				t.Fatalf("config %+v", d.Config())
			}
		})
	}
}

// TestDecodeZeroPadded checks trailing bytes after the END element are
// ignored.
func TestDecodeZeroPadded(t *testing.T) {
	cfg, frames := encodedFrames(t, 16000, 2, 64000, sigTwoTone, 0.3)
	a, _ := NewDecoder(cfg)
	b, _ := NewDecoder(cfg)
	for i, f := range frames {
		want, err := a.Decode(nil, f)
		if err != nil {
			t.Fatal(err)
		}
		padded := append(slices.Clone(f), make([]byte, 64)...)
		got, err := b.Decode(nil, padded)
		if err != nil {
			t.Fatalf("frame %d padded: %v", i, err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("frame %d: padded frame decodes differently", i)
		}
	}
}

// TestDecodeErrorRecovery feeds broken frames between good ones: each
// fails cleanly, leaves dst alone, and the next good frame decodes as it
// would in a fresh decoder.
func TestDecodeErrorRecovery(t *testing.T) {
	cfg, frames := encodedFrames(t, 16000, 1, 32000, sigSpeech, 0.5)
	bad := []struct {
		name  string
		frame []byte
		err   error
	}{
		{"empty", nil, ErrTruncated},
		{"truncated", frames[3][:len(frames[3])/2], ErrTruncated},
		{"all zero", make([]byte, 40), ErrMalformed},
		{"channel pair in mono", []byte{0x20, 0x00, 0x00}, ErrMalformed},
		{"coupling element", []byte{0x40, 0x00}, ErrUnsupported},
		{"reserved bit", []byte{0x00, 0x01, 0x00, 0x00}, ErrMalformed},
		{"max_sfb too big", []byte{0x00, 0x00, 0x1f, 0x80, 0x00}, ErrMalformed},
		{"prediction", []byte{0x00, 0x00, 0x00, 0x40, 0x00}, ErrUnsupported},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			d, _ := NewDecoder(cfg)
			for _, f := range frames[:5] {
				if _, err := d.Decode(nil, f); err != nil {
					t.Fatal(err)
				}
			}
			prefix := []int16{1, 2, 3}
			out, err := d.Decode(prefix, tt.frame)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err %v, want %v", err, tt.err)
			}
			if !slices.Equal(out, prefix) {
				t.Fatalf("dst changed on error")
			}
			fresh, _ := NewDecoder(cfg)
			for i, f := range frames[5:8] {
				got, err := d.Decode(nil, f)
				if err != nil {
					t.Fatalf("frame after error: %v", err)
				}
				want, _ := fresh.Decode(nil, f)
				if !slices.Equal(got, want) {
					t.Fatalf("frame %d after the error differs from a fresh decoder's", i)
				}
			}
		})
	}
}

// TestDecodeEveryTruncation decodes every prefix of real frames: each
// must fail or succeed without panicking.
func TestDecodeEveryTruncation(t *testing.T) {
	for _, ch := range []int{1, 2} {
		cfg, frames := encodedFrames(t, 48000, ch, 64000*ch, sigSpeech, 0.1)
		d, _ := NewDecoder(cfg)
		for _, f := range frames {
			for n := range len(f) {
				d.Decode(nil, f[:n])
			}
		}
	}
}

// pulseFrame builds a mono 16 kHz raw block whose first two bands are
// coded all-zero in codebook 1 with two pulses added: at line 3 (amp 5)
// and line 5 (amp 2).
func pulseFrame() []byte {
	var w bitWriter
	w.write(idSCE, 3)
	w.write(0, 4)
	w.write(100, 8) // global_gain
	w.write(0, 1)   // ics_reserved_bit
	w.write(onlyLong, 2)
	w.write(shapeSine, 1)
	w.write(2, 6) // max_sfb
	w.write(0, 1) // predictor_data_present
	w.write(1, 4) // sect_cb 1
	w.write(2, 5) // sect_len 2
	w.write(sfCodes[60], int(sfLens[60]))
	w.write(sfCodes[60], int(sfLens[60]))
	w.write(1, 1) // pulse_data_present
	w.write(1, 2) // number_pulse: 2 pulses
	w.write(0, 6) // pulse_start_sfb
	w.write(3, 5) // offset
	w.write(5, 4) // amp
	w.write(2, 5)
	w.write(2, 4)
	w.write(0, 1) // tns_data_present
	w.write(0, 1) // gain_control_data_present
	for range 4 { // two 8-line bands: four quadruples of zeros
		writeSpectral(&w, []int32{0, 0, 0, 0}, 1)
	}
	w.write(idEND, 3)
	w.align()
	return w.bytes()
}

// TestDecodePulse decodes a frame with pulse data (which ffmpeg's encoder
// never writes) and compares with ffmpeg's decode of it.
func TestDecodePulse(t *testing.T) {
	cfg := Config{2, 16000, 8, 1}
	frame := pulseFrame()
	d, _ := NewDecoder(cfg)
	var ours []int16
	for range 3 {
		var err error
		if ours, err = d.Decode(ours, frame); err != nil {
			t.Fatal(err)
		}
	}
	q := d.ch[0].quant
	if q[3] != -5 || q[5] != -2 || d.stats.pulse != 3 {
		t.Fatalf("quant[3] = %d, quant[5] = %d, pulses %d; want -5, -2, 3", q[3], q[5], d.stats.pulse)
	}
	theirs := ffmpegDecode(t, toADTS(t, cfg, [][]byte{frame, frame, frame}))
	if v := snr(theirs, ours, 0); v < 60 {
		t.Fatalf("SNR vs ffmpeg %.1f dB", v)
	}
}

// TestDecodeSCEInStereo duplicates a lone SCE to both channels of a
// stereo stream, and decodes DSE, FIL and PCE elements around it.
func TestDecodeSCEInStereo(t *testing.T) {
	_, frames := encodedFrames(t, 16000, 1, 32000, sigTone1k, 0.2)
	mono, _ := NewDecoder(Config{2, 16000, 8, 1})
	stereo, _ := NewDecoder(Config{2, 16000, 8, 2})
	for _, f := range frames {
		m, err := mono.Decode(nil, f)
		if err != nil {
			t.Fatal(err)
		}
		s, err := stereo.Decode(nil, withExtraElements(f))
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range m {
			if s[2*i] != v || s[2*i+1] != v {
				t.Fatalf("sample %d: stereo %d,%d, mono %d", i, s[2*i], s[2*i+1], v)
			}
		}
	}
}

// withExtraElements prefixes a raw block with a DSE, a FIL and a PCE.
// The PCE's byte alignment is relative to the block start, so it goes
// first, where the block is byte-aligned.
func withExtraElements(f []byte) []byte {
	var w bitWriter
	w.write(idPCE, 3)
	w.write(0, 4) // tag
	w.write(1, 2) // object_type
	w.write(8, 4) // sampling_frequency_index
	w.write(1, 4) // front elements
	w.write(0, 4) // side elements
	w.write(0, 4) // back elements
	w.write(0, 2) // lfe elements
	w.write(0, 3) // assoc data elements
	w.write(0, 4) // valid cc elements
	w.write(0, 3) // mono, stereo, matrix mixdown flags
	w.write(0, 5) // front element: is_cpe 0, tag 0
	w.align()
	w.write(2, 8) // comment bytes
	w.write(0x4142, 16)
	w.write(idDSE, 3)
	w.write(0, 4) // tag
	w.write(1, 1) // byte align
	w.write(3, 8) // count
	w.align()
	w.write(0xabcdef, 24)
	w.write(idFIL, 3)
	w.write(2, 4) // count
	w.write(0, 16)
	// Now splice the original block's bits after these.
	r := bitReader{b: f}
	for r.left() > 0 {
		n := min(r.left(), 16)
		w.write(r.read(n), n)
	}
	w.align()
	return w.bytes()
}
