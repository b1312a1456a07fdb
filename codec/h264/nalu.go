package h264

import "strconv"

// NALUType is nal_unit_type (H.264 table 7-1).
type NALUType uint8

// NAL unit types that matter to a camera agent.
const (
	NALUTypeSlice    NALUType = 1  // coded slice of a non-IDR picture
	NALUTypeDPA      NALUType = 2  // slice data partition A
	NALUTypeDPB      NALUType = 3  // slice data partition B
	NALUTypeDPC      NALUType = 4  // slice data partition C
	NALUTypeIDR      NALUType = 5  // coded slice of an IDR picture
	NALUTypeSEI      NALUType = 6  // supplemental enhancement information
	NALUTypeSPS      NALUType = 7  // sequence parameter set
	NALUTypePPS      NALUType = 8  // picture parameter set
	NALUTypeAUD      NALUType = 9  // access unit delimiter
	NALUTypeEOSeq    NALUType = 10 // end of sequence
	NALUTypeEOStream NALUType = 11 // end of stream
	NALUTypeFiller   NALUType = 12 // filler data
)

var naluTypeNames = map[NALUType]string{
	NALUTypeSlice: "slice", NALUTypeDPA: "dpa", NALUTypeDPB: "dpb", NALUTypeDPC: "dpc",
	NALUTypeIDR: "idr", NALUTypeSEI: "sei", NALUTypeSPS: "sps", NALUTypePPS: "pps",
	NALUTypeAUD: "aud", NALUTypeEOSeq: "end-of-sequence", NALUTypeEOStream: "end-of-stream",
	NALUTypeFiller: "filler",
}

// String returns a short name such as "idr" or "sps".
func (t NALUType) String() string {
	if s, ok := naluTypeNames[t]; ok {
		return s
	}
	return "type-" + strconv.Itoa(int(t))
}

// TypeOf returns the type of a NAL unit (without start code), or 0 for an
// empty one.
func TypeOf(nalu []byte) NALUType {
	if len(nalu) == 0 {
		return 0
	}
	return NALUType(nalu[0] & 0x1f)
}

// IsVCL reports whether t carries coded picture data (types 1 to 5).
func IsVCL(t NALUType) bool { return t >= NALUTypeSlice && t <= NALUTypeIDR }

// IsKeyframe reports whether the NAL units of an access unit contain an
// IDR slice, where a decoder can start.
func IsKeyframe(nalus [][]byte) bool {
	for _, n := range nalus {
		if TypeOf(n) == NALUTypeIDR {
			return true
		}
	}
	return false
}
