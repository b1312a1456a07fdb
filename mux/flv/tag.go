package flv

import "strconv"

// TagType is the type of an FLV tag (the low 5 bits of its first byte).
type TagType uint8

// Tag types.
const (
	TagTypeAudio  TagType = 8
	TagTypeVideo  TagType = 9
	TagTypeScript TagType = 18
)

// String returns "audio", "video", "script", or "TagType(n)".
func (t TagType) String() string {
	switch t {
	case TagTypeAudio:
		return "audio"
	case TagTypeVideo:
		return "video"
	case TagTypeScript:
		return "script"
	}
	return "TagType(" + strconv.Itoa(int(t)) + ")"
}

const (
	// tagHeaderSize is the size of a tag header: type, 24-bit data size,
	// 24-bit timestamp, extended timestamp byte, 24-bit stream ID.
	tagHeaderSize = 11
	// prevTagSizeSize is the size of the PreviousTagSize after each tag.
	prevTagSizeSize = 4
	// MaxTagDataSize is the largest data size a tag header can express.
	MaxTagDataSize = 1<<24 - 1
	// tagFilterBit marks a filtered (encrypted) tag in the type byte.
	tagFilterBit = 0x20
	// tagTypeMask selects the tag type in the type byte.
	tagTypeMask = 0x1f
)

// putTagHeader writes an 11-byte tag header into b. The timestamp's upper
// 8 bits go into the extended timestamp byte; the stream ID is always 0.
func putTagHeader(b []byte, typ TagType, dataSize int, timestampMS uint32) {
	_ = b[tagHeaderSize-1]
	b[0] = byte(typ)
	put24(b[1:], uint32(dataSize))
	put24(b[4:], timestampMS)
	b[7] = byte(timestampMS >> 24)
	b[8], b[9], b[10] = 0, 0, 0
}

// put24 writes the low 24 bits of v big-endian into b.
func put24(b []byte, v uint32) {
	_ = b[2]
	b[0], b[1], b[2] = byte(v>>16), byte(v>>8), byte(v)
}

// get24 reads a big-endian 24-bit unsigned integer.
func get24(b []byte) uint32 {
	_ = b[2]
	return uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2])
}

// putPrevTagSize writes the PreviousTagSize for a tag with dataSize bytes
// of data.
func putPrevTagSize(b []byte, dataSize int) {
	n := uint32(tagHeaderSize + dataSize)
	_ = b[3]
	b[0], b[1], b[2], b[3] = byte(n>>24), byte(n>>16), byte(n>>8), byte(n)
}

// AppendTag appends one complete tag to dst: the 11-byte tag header (the
// timestamp's upper 8 bits in the extended byte, stream ID 0), data, and
// the trailing PreviousTagSize (11 + len(data)). It panics if data is
// longer than MaxTagDataSize.
func AppendTag(dst []byte, typ TagType, timestampMS uint32, data []byte) []byte {
	if len(data) > MaxTagDataSize {
		panic("flv: AppendTag: data of " + strconv.Itoa(len(data)) + " bytes exceeds the 24-bit size field")
	}
	var hdr [tagHeaderSize]byte
	putTagHeader(hdr[:], typ, len(data), timestampMS)
	dst = append(dst, hdr[:]...)
	dst = append(dst, data...)
	var pts [prevTagSizeSize]byte
	putPrevTagSize(pts[:], len(data))
	return append(dst, pts[:]...)
}
