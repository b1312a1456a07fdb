package h264

import (
	"bytes"
	"fmt"
)

var startCode = []byte{0, 0, 1}

// SplitAnnexB splits an Annex-B byte stream into NAL units without their
// start codes. The units alias b. Bytes before the first start code and
// empty units are dropped; trailing zero bytes of each unit (the leading
// zero of a 4-byte start code, trailing_zero_8bits) are trimmed.
func SplitAnnexB(b []byte) ([][]byte, error) {
	i := bytes.Index(b, startCode)
	if i < 0 {
		return nil, ErrNoStartCode
	}
	var nalus [][]byte
	b = b[i+3:]
	for len(b) > 0 {
		end := bytes.Index(b, startCode)
		next := end + 3
		if end < 0 {
			end, next = len(b), len(b)
		}
		if n := trimZeros(b[:end]); len(n) > 0 {
			nalus = append(nalus, n)
		}
		b = b[next:]
	}
	return nalus, nil
}

// AppendAnnexB appends nalus to dst, each preceded by a 4-byte start code.
func AppendAnnexB(dst []byte, nalus [][]byte) []byte {
	for _, n := range nalus {
		dst = append(dst, 0, 0, 0, 1)
		dst = append(dst, n...)
	}
	return dst
}

// AVCCSize is the length of nalus in AVCC form with 4-byte lengths.
func AVCCSize(nalus [][]byte) int {
	n := 0
	for _, u := range nalus {
		n += 4 + len(u)
	}
	return n
}

// AppendAVCC appends nalus to dst, each preceded by its 4-byte big-endian
// length, as FLV and MP4 carry them.
func AppendAVCC(dst []byte, nalus [][]byte) []byte {
	for _, n := range nalus {
		l := len(n)
		dst = append(dst, byte(l>>24), byte(l>>16), byte(l>>8), byte(l))
		dst = append(dst, n...)
	}
	return dst
}

// SplitAVCC splits AVCC data with 4-byte lengths into NAL units aliasing
// b. A length running past the end of b is an error.
func SplitAVCC(b []byte) ([][]byte, error) {
	var nalus [][]byte
	for off := 0; off < len(b); {
		if len(b)-off < 4 {
			return nil, fmt.Errorf("%w: %d stray bytes after the last AVCC unit", ErrTruncated, len(b)-off)
		}
		l := int(uint32(b[off])<<24 | uint32(b[off+1])<<16 | uint32(b[off+2])<<8 | uint32(b[off+3]))
		off += 4
		if l < 0 || l > len(b)-off {
			return nil, fmt.Errorf("%w: AVCC unit of %d bytes with %d left", ErrTruncated, l, len(b)-off)
		}
		nalus = append(nalus, b[off:off+l])
		off += l
	}
	return nalus, nil
}

func trimZeros(b []byte) []byte {
	for len(b) > 0 && b[len(b)-1] == 0 {
		b = b[:len(b)-1]
	}
	return b
}
