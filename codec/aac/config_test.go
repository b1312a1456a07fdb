package aac

import (
	"bytes"
	"errors"
	"testing"
)

func TestParseAudioSpecificConfig(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
		want Config
		err  error
	}{
		{"16k mono", []byte{0x14, 0x08}, Config{2, 16000, 8, 1}, nil},
		{"44.1k stereo", []byte{0x12, 0x10}, Config{2, 44100, 4, 2}, nil},
		{"48k stereo", []byte{0x11, 0x90}, Config{2, 48000, 3, 2}, nil},
		{"8k mono", []byte{0x15, 0x88}, Config{2, 8000, 11, 1}, nil},
		// Object type 2, index 15, 24-bit rate 16000 (0x003e80), mono.
		{"explicit rate", []byte{0x17, 0x80, 0x1f, 0x40, 0x08}, Config{2, 16000, 15, 1}, nil},
		// Explicit odd rate 15000 Hz (0x003a98).
		{"explicit odd rate", []byte{0x17, 0x80, 0x1d, 0x4c, 0x08}, Config{2, 15000, 15, 1}, nil},
		{"HE-AAC", []byte{0x2b, 0x92, 0x08, 0x00}, Config{}, ErrUnsupported},
		{"AAC Main", []byte{0x0a, 0x10}, Config{}, ErrUnsupported},
		{"escaped object type", []byte{0xf8, 0x1e, 0x20}, Config{}, ErrUnsupported},
		{"960 frames", []byte{0x14, 0x0c}, Config{}, ErrUnsupported},
		{"5.1", []byte{0x11, 0xb0}, Config{}, ErrUnsupported},
		{"reserved rate", []byte{0x16, 0x88}, Config{}, ErrMalformed},
		{"empty", nil, Config{}, ErrTruncated},
		{"one byte", []byte{0x14}, Config{}, ErrTruncated},
		// Channel configuration 0 with a PCE of one front CPE.
		{"pce stereo", pceASC(), Config{2, 48000, 3, 2}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseAudioSpecificConfig(tt.b)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err %v, want %v", err, tt.err)
			}
			if err == nil && got != tt.want {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// pceASC builds an ASC with channelConfiguration 0 and a PCE declaring
// one front channel pair.
func pceASC() []byte {
	w := bitWriter{}
	w.write(2, 5) // AAC-LC
	w.write(3, 4) // 48 kHz
	w.write(0, 4) // channel configuration 0: PCE follows
	w.write(0, 3) // GASpecificConfig flags
	w.write(0, 4) // element_instance_tag
	w.write(1, 2) // object_type
	w.write(3, 4) // sampling_frequency_index
	w.write(1, 4) // front elements
	w.write(0, 4) // side
	w.write(0, 4) // back
	w.write(0, 2) // lfe
	w.write(0, 3) // assoc data
	w.write(0, 4) // cc
	w.write(0, 3) // mixdown flags
	w.write(1, 1) // front is_cpe
	w.write(0, 4) // tag
	w.align()     // byte_alignment
	w.write(0, 8) // comment_field_bytes
	return w.bytes()
}

func TestConfigMarshal(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want []byte
		err  error
	}{
		{"16k mono", Config{2, 16000, 8, 1}, []byte{0x14, 0x08}, nil},
		{"44.1k stereo", Config{2, 44100, 4, 2}, []byte{0x12, 0x10}, nil},
		{"48k stereo", Config{2, 48000, 3, 2}, []byte{0x11, 0x90}, nil},
		{"explicit", Config{2, 16000, 15, 1}, []byte{0x17, 0x80, 0x1f, 0x40, 0x08}, nil},
		{"HE-AAC", Config{5, 48000, 3, 2}, nil, ErrUnsupported},
		{"6 channels", Config{2, 48000, 3, 6}, nil, ErrUnsupported},
		{"index mismatch", Config{2, 48000, 4, 2}, nil, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.cfg.Marshal()
			if !errors.Is(err, tt.err) {
				t.Fatalf("err %v, want %v", err, tt.err)
			}
			if err != nil {
				return
			}
			if !bytes.Equal(got, tt.want) {
				t.Fatalf("got % x, want % x", got, tt.want)
			}
			back, err := ParseAudioSpecificConfig(got)
			if err != nil || back != tt.cfg {
				t.Fatalf("round trip: %+v, %v", back, err)
			}
			prefixed, _ := tt.cfg.AppendTo([]byte{0xaa})
			if !bytes.Equal(prefixed, append([]byte{0xaa}, tt.want...)) {
				t.Fatalf("AppendTo: % x", prefixed)
			}
		})
	}
}

func TestADTSHeader(t *testing.T) {
	tests := []struct {
		name    string
		b       []byte
		want    ADTSHeader
		err     error
		hdrLen  int
		payload int
	}{
		// ffmpeg's header for 16 kHz mono, 371-byte frame.
		{"ffmpeg 16k mono", []byte{0xff, 0xf1, 0x60, 0x40, 0x2e, 0x7f, 0xfc},
			ADTSHeader{Config: Config{2, 16000, 8, 1}, FrameLength: 371, BufferFullness: 0x7ff, RawBlocks: 1}, nil, 7, 364},
		{"crc, mpeg-2, 48k stereo", []byte{0xff, 0xf8, 0x4c, 0x80, 0x10, 0x00, 0x00, 0xab, 0xcd},
			ADTSHeader{Config: Config{2, 48000, 3, 2}, MPEG2: true, CRC: true, FrameLength: 128, RawBlocks: 1}, nil, 9, 119},
		{"no sync", []byte{0xfe, 0xf1, 0x60, 0x40, 0x2e, 0x7f, 0xfc}, ADTSHeader{}, ErrSync, 0, 0},
		{"short", []byte{0xff, 0xf1, 0x60}, ADTSHeader{}, ErrTruncated, 0, 0},
		{"layer 1", []byte{0xff, 0xf3, 0x60, 0x40, 0x2e, 0x7f, 0xfc}, ADTSHeader{}, ErrMalformed, 0, 0},
		{"main profile", []byte{0xff, 0xf1, 0x20, 0x40, 0x2e, 0x7f, 0xfc}, ADTSHeader{}, ErrUnsupported, 0, 0},
		{"HE profile index", []byte{0xff, 0xf1, 0xa0, 0x40, 0x2e, 0x7f, 0xfc}, ADTSHeader{}, ErrUnsupported, 0, 0},
		{"reserved rate", []byte{0xff, 0xf1, 0x74, 0x40, 0x2e, 0x7f, 0xfc}, ADTSHeader{}, ErrMalformed, 0, 0},
		{"length under header", []byte{0xff, 0xf1, 0x60, 0x40, 0x00, 0xbf, 0xfc}, ADTSHeader{}, ErrMalformed, 0, 0},
		{"channel config 0", []byte{0xff, 0xf1, 0x60, 0x00, 0x2e, 0x7f, 0xfc}, ADTSHeader{}, ErrUnsupported, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := ParseADTSHeader(tt.b)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err %v, want %v", err, tt.err)
			}
			if err != nil {
				return
			}
			if h != tt.want {
				t.Fatalf("got %+v, want %+v", h, tt.want)
			}
			if h.HeaderLength() != tt.hdrLen {
				t.Fatalf("header length %d, want %d", h.HeaderLength(), tt.hdrLen)
			}
			if !h.CRC && !h.MPEG2 {
				again, err := AppendADTSHeader(nil, h.Config, tt.payload)
				if err != nil || !bytes.Equal(again, tt.b) {
					t.Fatalf("AppendADTSHeader: % x, %v; want % x", again, err, tt.b)
				}
			}
		})
	}
	if _, err := AppendADTSHeader(nil, Config{2, 16000, 15, 1}, 10); !errors.Is(err, ErrUnsupported) {
		t.Errorf("explicit rate in ADTS: %v", err)
	}
	if _, err := AppendADTSHeader(nil, Config{2, 16000, 8, 1}, 8190); !errors.Is(err, ErrMalformed) {
		t.Errorf("oversized ADTS frame: %v", err)
	}
}

func TestSplitADTS(t *testing.T) {
	cfg := Config{2, 16000, 8, 1}
	frame := func(payload ...byte) []byte {
		h, _ := AppendADTSHeader(nil, cfg, len(payload))
		return append(h, payload...)
	}
	crcFrame := []byte{0xff, 0xf0, 0x60, 0x40, 0x01, 0x7f, 0xfc, 0x12, 0x34, 0xaa, 0xbb}
	multi := frame(1, 2)
	multi[6] |= 1 // two raw blocks
	tests := []struct {
		name     string
		stream   []byte
		payloads [][]byte
		err      error
	}{
		{"two frames", append(frame(1, 2, 3), frame(4)...), [][]byte{{1, 2, 3}, {4}}, nil},
		{"crc frame", append(crcFrame, frame(5)...), [][]byte{{0xaa, 0xbb}, {5}}, nil},
		{"empty payload", frame(), [][]byte{{}}, nil},
		{"truncated", frame(1, 2, 3)[:9], nil, ErrTruncated},
		{"partial header after", append(frame(1), 0xff), [][]byte{{1}}, ErrTruncated},
		{"junk", append(frame(1), 1, 2, 3, 4, 5, 6, 7), [][]byte{{1}}, ErrSync},
		{"multiple raw blocks", multi, nil, ErrUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			frames, err := SplitADTS(tt.stream)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err %v, want %v", err, tt.err)
			}
			if len(frames) != len(tt.payloads) {
				t.Fatalf("%d frames, want %d", len(frames), len(tt.payloads))
			}
			for i, f := range frames {
				if !bytes.Equal(f.Payload, tt.payloads[i]) {
					t.Errorf("frame %d payload % x, want % x", i, f.Payload, tt.payloads[i])
				}
			}
		})
	}
}
