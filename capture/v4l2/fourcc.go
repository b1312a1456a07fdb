//go:build linux

package v4l2

import (
	"fmt"
	"strings"
)

// PixelFormat is a V4L2 pixel format, a little-endian FourCC code.
type PixelFormat uint32

// fourcc packs four characters as v4l2_fourcc does.
func fourcc(a, b, c, d byte) PixelFormat {
	return PixelFormat(a) | PixelFormat(b)<<8 | PixelFormat(c)<<16 | PixelFormat(d)<<24
}

// Pixel formats p2pcam meets.
const (
	PixFmtYUYV   PixelFormat = 'Y' | 'U'<<8 | 'Y'<<16 | 'V'<<24 // packed YUV 4:2:2 (most UVC cameras, vivid)
	PixFmtUYVY   PixelFormat = 'U' | 'Y'<<8 | 'V'<<16 | 'Y'<<24 // packed YUV 4:2:2, chroma first
	PixFmtYUV420 PixelFormat = 'Y' | 'U'<<8 | '1'<<16 | '2'<<24 // planar YUV 4:2:0 (I420)
	PixFmtNV12   PixelFormat = 'N' | 'V'<<8 | '1'<<16 | '2'<<24 // Y plane, then interleaved CbCr, 4:2:0
	PixFmtRGB24  PixelFormat = 'R' | 'G'<<8 | 'B'<<16 | '3'<<24
	PixFmtBGR24  PixelFormat = 'B' | 'G'<<8 | 'R'<<16 | '3'<<24
	PixFmtGrey   PixelFormat = 'G' | 'R'<<8 | 'E'<<16 | 'Y'<<24
	PixFmtMJPEG  PixelFormat = 'M' | 'J'<<8 | 'P'<<16 | 'G'<<24
	PixFmtJPEG   PixelFormat = 'J' | 'P'<<8 | 'E'<<16 | 'G'<<24
	PixFmtH264   PixelFormat = 'H' | '2'<<8 | '6'<<16 | '4'<<24 // H.264 Annex-B byte stream
	PixFmtHEVC   PixelFormat = 'H' | 'E'<<8 | 'V'<<16 | 'C'<<24
)

// pixFmtBigEndian is the top bit of a FourCC, which v4l2_fourcc_be sets
// to mark the big-endian variant of a format.
const pixFmtBigEndian = 1 << 31

// String returns the four characters, e.g. "YUYV", with a "-BE" suffix
// for a big-endian variant, or the number in hex when they are not
// printable.
func (p PixelFormat) String() string {
	var b [4]byte
	v := uint32(p) &^ pixFmtBigEndian
	for i := range b {
		b[i] = byte(v >> (8 * i))
		if b[i] < ' ' || b[i] > '~' {
			return fmt.Sprintf("0x%08x", uint32(p))
		}
	}
	s := strings.TrimRight(string(b[:]), " ")
	if p&pixFmtBigEndian != 0 {
		s += "-BE"
	}
	return s
}

// ParsePixelFormat parses a FourCC of one to four printable characters,
// padded with spaces as V4L2 does ("GREY", "Y16", "H264").
func ParsePixelFormat(s string) (PixelFormat, error) {
	if len(s) == 0 || len(s) > 4 {
		return 0, fmt.Errorf("v4l2: pixel format %q: want 1 to 4 characters", s)
	}
	var b [4]byte
	for i := range b {
		b[i] = ' '
		if i < len(s) {
			b[i] = s[i]
		}
		if b[i] < ' ' || b[i] > '~' {
			return 0, fmt.Errorf("v4l2: pixel format %q: not printable", s)
		}
	}
	return fourcc(b[0], b[1], b[2], b[3]), nil
}
