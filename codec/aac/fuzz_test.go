package aac

import (
	"testing"
	"time"
)

// fuzzConfigs are the stream configurations FuzzDecode picks from.
var fuzzConfigs = []Config{
	{2, 16000, 8, 1},
	{2, 48000, 3, 2},
	{2, 8000, 11, 1},
	{2, 44100, 4, 2},
}

func FuzzDecode(f *testing.F) {
	for i, c := range fuzzConfigs {
		_, frames := encodedFrames(f, c.SampleRate, c.Channels, 32000*c.Channels, sigSpeech, 0.15)
		for _, fr := range frames[1:3] {
			f.Add(uint8(i), fr)
		}
	}
	f.Add(uint8(0), pulseFrame())
	f.Add(uint8(1), []byte{0x20, 0x00, 0x00})
	f.Fuzz(func(t *testing.T, which uint8, frame []byte) {
		cfg := fuzzConfigs[int(which)%len(fuzzConfigs)]
		d, err := NewDecoder(cfg)
		if err != nil {
			t.Fatal(err)
		}
		for range 2 { // twice: the second call starts from the first's state
			start := time.Now()
			out, err := d.Decode(nil, frame)
			if el := time.Since(start); el > time.Second {
				t.Fatalf("one frame took %v", el)
			}
			if err == nil && len(out) != SamplesPerFrame*cfg.Channels {
				t.Fatalf("%d samples", len(out))
			}
		}
	})
}

func FuzzParseAudioSpecificConfig(f *testing.F) {
	for _, b := range [][]byte{{0x14, 0x08}, {0x12, 0x10}, {0x17, 0x80, 0x1d, 0x4c, 0x08}, pceASC(), {0xf8, 0x1e, 0x20}} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseAudioSpecificConfig(b)
		if err != nil {
			return
		}
		m, err := c.Marshal()
		if err != nil {
			t.Fatalf("parsed %+v does not marshal: %v", c, err)
		}
		back, err := ParseAudioSpecificConfig(m)
		if err != nil || back != c {
			t.Fatalf("round trip %+v -> % x -> %+v, %v", c, m, back, err)
		}
	})
}

func FuzzParseADTS(f *testing.F) {
	cfg, frames := encodedFrames(f, 16000, 1, 32000, sigTone440, 0.1)
	f.Add(toADTS(f, cfg, frames))
	f.Add([]byte{0xff, 0xf0, 0x60, 0x40, 0x01, 0x7f, 0xfc, 0x12, 0x34, 0xaa, 0xbb})
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := ParseADTSHeader(b)
		if err == nil {
			if h.FrameLength < h.HeaderLength() || h.Config.Channels < 1 || h.Config.Channels > 2 {
				t.Fatalf("accepted %+v", h)
			}
			again, err := AppendADTSHeader(nil, h.Config, h.FrameLength-adtsHeaderLen)
			if err == nil {
				h2, err := ParseADTSHeader(again)
				if err != nil || h2.Config != h.Config || h2.FrameLength != h.FrameLength {
					t.Fatalf("rewritten header %+v, %v; was %+v", h2, err, h)
				}
			}
		}
		frames, _ := SplitADTS(b)
		total := 0
		for _, fr := range frames {
			total += fr.Header.FrameLength
			if len(fr.Payload) != fr.Header.FrameLength-fr.Header.HeaderLength() {
				t.Fatalf("payload %d bytes for %+v", len(fr.Payload), fr.Header)
			}
		}
		if total > len(b) {
			t.Fatalf("frames cover %d of %d bytes", total, len(b))
		}
	})
}
