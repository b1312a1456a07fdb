package flv

import (
	"errors"
	"fmt"
)

// AVCConfig is a parsed AVCDecoderConfigurationRecord (ISO/IEC 14496-15
// 5.2.4.1), the body of an AVC sequence header tag.
type AVCConfig struct {
	Profile    uint8    // AVCProfileIndication (profile_idc)
	Compat     uint8    // profile_compatibility (constraint flags)
	Level      uint8    // AVCLevelIndication (level_idc)
	LengthSize int      // bytes in each NAL unit length prefix: 1, 2 or 4
	SPS        [][]byte // sequence parameter sets, without start codes
	PPS        [][]byte // picture parameter sets, without start codes
}

// minSPSSize is the shortest SPS with the profile, constraint and level
// bytes after its NAL header.
const minSPSSize = 4

// NAL unit types of parameter sets.
const (
	nalTypeSPS = 7
	nalTypePPS = 8
)

var errAVCConfigShort = errors.New("flv: avc config: truncated")

// appendAVCConfig appends an AVCDecoderConfigurationRecord for one SPS
// and one PPS, with 4-byte NAL unit lengths, as the FLV muxer writes it.
func appendAVCConfig(dst, sps, pps []byte) ([]byte, error) {
	switch {
	case len(sps) < minSPSSize:
		return dst, fmt.Errorf("flv: avc config: SPS of %d bytes, need at least %d", len(sps), minSPSSize)
	case len(sps) > 0xffff:
		return dst, fmt.Errorf("flv: avc config: SPS of %d bytes does not fit a 16-bit length", len(sps))
	case len(pps) == 0:
		return dst, errors.New("flv: avc config: empty PPS")
	case len(pps) > 0xffff:
		return dst, fmt.Errorf("flv: avc config: PPS of %d bytes does not fit a 16-bit length", len(pps))
	case sps[0]&0x1f != nalTypeSPS:
		return dst, fmt.Errorf("flv: avc config: SPS has NAL type %d, want %d", sps[0]&0x1f, nalTypeSPS)
	case pps[0]&0x1f != nalTypePPS:
		return dst, fmt.Errorf("flv: avc config: PPS has NAL type %d, want %d", pps[0]&0x1f, nalTypePPS)
	}
	dst = append(dst,
		1,      // configurationVersion
		sps[1], // AVCProfileIndication
		sps[2], // profile_compatibility
		sps[3], // AVCLevelIndication
		0xff,   // 6 reserved bits, lengthSizeMinusOne = 3
		0xe1,   // 3 reserved bits, numOfSequenceParameterSets = 1
		byte(len(sps)>>8), byte(len(sps)))
	dst = append(dst, sps...)
	dst = append(dst, 1, byte(len(pps)>>8), byte(len(pps))) // numOfPictureParameterSets = 1
	return append(dst, pps...), nil
}

// ParseAVCConfig parses an AVCDecoderConfigurationRecord. It requires
// version 1, a length size of 1, 2 or 4, at least one SPS (of at least 4
// bytes, NAL type 7) and rejects any parameter set that runs past the end
// of b. Bytes after the last PPS (the High profile extension) are
// ignored. The returned slices alias b.
func ParseAVCConfig(b []byte) (AVCConfig, error) {
	var c AVCConfig
	if len(b) < 6 {
		return c, errAVCConfigShort
	}
	if b[0] != 1 {
		return c, fmt.Errorf("flv: avc config: version %d, want 1", b[0])
	}
	c.Profile, c.Compat, c.Level = b[1], b[2], b[3]
	c.LengthSize = int(b[4]&0x03) + 1
	if c.LengthSize == 3 {
		return c, errors.New("flv: avc config: NAL length size 3 is not allowed")
	}
	nSPS := int(b[5] & 0x1f)
	if nSPS == 0 {
		return c, errors.New("flv: avc config: no SPS")
	}
	rest := b[6:]
	var err error
	if c.SPS, rest, err = parseParamSets(rest, nSPS, nalTypeSPS, "SPS"); err != nil {
		return c, err
	}
	if len(rest) < 1 {
		return c, errAVCConfigShort
	}
	nPPS := int(rest[0])
	if c.PPS, _, err = parseParamSets(rest[1:], nPPS, nalTypePPS, "PPS"); err != nil {
		return c, err
	}
	return c, nil
}

// parseParamSets reads n parameter sets, each with a 16-bit length, from
// b and returns them and the bytes after them.
func parseParamSets(b []byte, n int, nalType byte, name string) ([][]byte, []byte, error) {
	sets := make([][]byte, 0, n)
	for i := range n {
		if len(b) < 2 {
			return nil, nil, errAVCConfigShort
		}
		size := int(b[0])<<8 | int(b[1])
		b = b[2:]
		if size > len(b) {
			return nil, nil, fmt.Errorf("flv: avc config: %s %d declares %d bytes, %d left", name, i, size, len(b))
		}
		ps := b[:size:size]
		b = b[size:]
		if nalType == nalTypeSPS && size < minSPSSize {
			return nil, nil, fmt.Errorf("flv: avc config: SPS %d of %d bytes, need at least %d", i, size, minSPSSize)
		}
		if size == 0 {
			return nil, nil, fmt.Errorf("flv: avc config: empty %s %d", name, i)
		}
		if t := ps[0] & 0x1f; t != nalType {
			return nil, nil, fmt.Errorf("flv: avc config: %s %d has NAL type %d, want %d", name, i, t, nalType)
		}
		sets = append(sets, ps)
	}
	return sets, b, nil
}
