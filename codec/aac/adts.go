package aac

import "fmt"

// ADTS header sizes in bytes, without and with the CRC word.
const (
	adtsHeaderLen    = 7
	adtsHeaderCRCLen = 9
	maxADTSFrameLen  = 1<<13 - 1
)

// ADTSHeader is an ADTS fixed and variable header (ISO/IEC 14496-3
// 1.A.2.2, ISO/IEC 13818-7 6.2).
type ADTSHeader struct {
	Config         Config
	MPEG2          bool // ID bit: MPEG-2 rather than MPEG-4 syntax
	CRC            bool // a CRC word follows the header (protection_absent = 0)
	FrameLength    int  // aac_frame_length: header and payload, in bytes
	BufferFullness int  // adts_buffer_fullness; 0x7FF for variable rate
	RawBlocks      int  // raw_data_blocks in the frame (1 to 4)
}

// HeaderLength is the size of the header, with its CRC word if present.
func (h ADTSHeader) HeaderLength() int {
	if h.CRC {
		return adtsHeaderCRCLen
	}
	return adtsHeaderLen
}

// ParseADTSHeader parses the ADTS header at the start of b.
func ParseADTSHeader(b []byte) (ADTSHeader, error) {
	var h ADTSHeader
	if len(b) < 2 || b[0] != 0xff || b[1]&0xf0 != 0xf0 {
		if len(b) < 2 {
			return h, ErrTruncated
		}
		return h, ErrSync
	}
	if len(b) < adtsHeaderLen {
		return h, ErrTruncated
	}
	r := bitReader{b: b[:adtsHeaderLen]}
	r.skip(12)
	h.MPEG2 = r.bit()
	if layer := r.read(2); layer != 0 {
		return h, fmt.Errorf("%w: ADTS layer %d", ErrMalformed, layer)
	}
	h.CRC = !r.bit()
	h.Config.ObjectType = int(r.read(2)) + 1
	h.Config.SampleRateIndex = int(r.read(4))
	r.skip(1) // private_bit
	h.Config.Channels = int(r.read(3))
	r.skip(4) // original_copy, home, copyright bits
	h.FrameLength = int(r.read(13))
	h.BufferFullness = int(r.read(11))
	h.RawBlocks = int(r.read(2)) + 1
	if h.Config.SampleRateIndex >= len(sampleRates) {
		return h, fmt.Errorf("%w: ADTS sampling frequency index %d", ErrMalformed, h.Config.SampleRateIndex)
	}
	h.Config.SampleRate = sampleRates[h.Config.SampleRateIndex]
	if h.FrameLength < h.HeaderLength() {
		return h, fmt.Errorf("%w: ADTS frame length %d", ErrMalformed, h.FrameLength)
	}
	if h.Config.ObjectType != ObjectTypeLC {
		return h, fmt.Errorf("%w: ADTS profile %d (only AAC-LC)", ErrUnsupported, h.Config.ObjectType-1)
	}
	if h.Config.Channels < 1 || h.Config.Channels > 2 {
		return h, fmt.Errorf("%w: ADTS channel configuration %d (only mono and stereo)", ErrUnsupported, h.Config.Channels)
	}
	return h, nil
}

// AppendADTSHeader appends to dst a 7-byte ADTS header (MPEG-4, no CRC,
// one raw block, variable-rate buffer fullness) for a raw_data_block of
// payloadLen bytes.
func AppendADTSHeader(dst []byte, cfg Config, payloadLen int) ([]byte, error) {
	if err := cfg.check(); err != nil {
		return dst, err
	}
	if cfg.SampleRateIndex == 15 {
		return dst, fmt.Errorf("%w: ADTS cannot carry an explicit sampling frequency", ErrUnsupported)
	}
	n := payloadLen + adtsHeaderLen
	if payloadLen < 0 || n > maxADTSFrameLen {
		return dst, fmt.Errorf("%w: ADTS payload of %d bytes", ErrMalformed, payloadLen)
	}
	w := bitWriter{b: dst}
	w.write(0xfff, 12)
	w.write(0, 1) // ID: MPEG-4
	w.write(0, 2) // layer
	w.write(1, 1) // protection_absent
	w.write(uint32(cfg.ObjectType-1), 2)
	w.write(uint32(cfg.SampleRateIndex), 4)
	w.write(0, 1) // private_bit
	w.write(uint32(cfg.Channels), 3)
	w.write(0, 4) // original_copy, home, copyright_id bit and start
	w.write(uint32(n), 13)
	w.write(0x7ff, 11)
	w.write(0, 2) // one raw_data_block
	return w.bytes(), nil
}

// ADTSFrame is one frame of an ADTS stream.
type ADTSFrame struct {
	Header  ADTSHeader
	Payload []byte // the raw_data_block, aliasing the input
}

// NextADTSFrame parses the ADTS frame at the start of b and returns it
// with the bytes after it. The CRC word, if any, is skipped unchecked.
// Frames with more than one raw_data_block fail with ErrUnsupported.
func NextADTSFrame(b []byte) (ADTSFrame, []byte, error) {
	h, err := ParseADTSHeader(b)
	if err != nil {
		return ADTSFrame{}, b, err
	}
	if h.RawBlocks != 1 {
		return ADTSFrame{}, b, fmt.Errorf("%w: %d raw data blocks in one ADTS frame", ErrUnsupported, h.RawBlocks)
	}
	if len(b) < h.FrameLength {
		return ADTSFrame{}, b, ErrTruncated
	}
	return ADTSFrame{Header: h, Payload: b[h.HeaderLength():h.FrameLength]}, b[h.FrameLength:], nil
}

// SplitADTS splits a whole ADTS stream into frames. It stops at the
// first error, returning the frames before it.
func SplitADTS(b []byte) ([]ADTSFrame, error) {
	var frames []ADTSFrame
	for len(b) > 0 {
		f, rest, err := NextADTSFrame(b)
		if err != nil {
			return frames, err
		}
		frames = append(frames, f)
		b = rest
	}
	return frames, nil
}
