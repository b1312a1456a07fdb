package flv

import "fmt"

// HeaderSize is the size of the FLV file header in bytes, not counting
// PreviousTagSize0.
const HeaderSize = 9

// Header flag bits (FLV header byte 4).
const (
	headerFlagAudio = 0x04
	headerFlagVideo = 0x01
)

// Header is the FLV file header.
type Header struct {
	HasAudio bool // TypeFlagsAudio: the file has audio tags
	HasVideo bool // TypeFlagsVideo: the file has video tags
}

// AppendTo appends the 9-byte FLV header ("FLV", version 1, flags, data
// offset 9) followed by PreviousTagSize0 (4 zero bytes), 13 bytes in all,
// so that the first tag can follow directly.
func (h Header) AppendTo(dst []byte) []byte {
	var flags byte
	if h.HasAudio {
		flags |= headerFlagAudio
	}
	if h.HasVideo {
		flags |= headerFlagVideo
	}
	return append(dst, 'F', 'L', 'V', 1, flags, 0, 0, 0, HeaderSize, 0, 0, 0, 0)
}

// ParseHeader parses the FLV header at the start of b (at least
// HeaderSize bytes; FLV spec, "The FLV header"): the "FLV" signature,
// version 1, the flags and the data offset, which must be 9 to 4096.
func ParseHeader(b []byte) (h Header, dataOffset uint32, err error) {
	if len(b) < HeaderSize {
		return Header{}, 0, fmt.Errorf("flv: header: %d bytes, want %d", len(b), HeaderSize)
	}
	if b[0] != 'F' || b[1] != 'L' || b[2] != 'V' {
		return Header{}, 0, fmt.Errorf("flv: header: bad signature %q", b[:3])
	}
	if b[3] != 1 {
		return Header{}, 0, fmt.Errorf("flv: header: version %d, want 1", b[3])
	}
	dataOffset = uint32(b[5])<<24 | uint32(b[6])<<16 | uint32(b[7])<<8 | uint32(b[8])
	if dataOffset < HeaderSize || dataOffset > maxDataOffset {
		return Header{}, 0, fmt.Errorf("flv: header: data offset %d outside [%d, %d]", dataOffset, HeaderSize, maxDataOffset)
	}
	return Header{HasAudio: b[4]&headerFlagAudio != 0, HasVideo: b[4]&headerFlagVideo != 0}, dataOffset, nil
}
