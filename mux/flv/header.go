package flv

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
