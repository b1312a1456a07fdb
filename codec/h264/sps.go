package h264

import (
	"fmt"
)

// SPS holds the fields of a sequence parameter set (7.3.2.1.1) that a
// muxer or player needs.
type SPS struct {
	ProfileIDC      uint8
	ConstraintFlags uint8 // constraint_set0..5 flags and reserved bits
	LevelIDC        uint8
	ID              uint32
	ChromaFormatIDC uint32 // 1 is 4:2:0
	BitDepthLuma    int
	FrameMBsOnly    bool

	Width, Height int // displayed size in pixels, cropping applied

	// FrameRate is time_scale / (2 * num_units_in_tick) from the VUI
	// timing info, or 0 when the stream does not say.
	FrameRate float64
}

// Codec returns the RFC 6381 codec string, such as "avc1.42c01f".
func (s SPS) Codec() string {
	return fmt.Sprintf("avc1.%02x%02x%02x", s.ProfileIDC, s.ConstraintFlags, s.LevelIDC)
}

// maxDimension bounds width and height; level 6.2 tops out at 8192.
const maxDimension = 16384

// ParseSPS parses an SPS NAL unit (with its one-byte header, without a
// start code).
func ParseSPS(nalu []byte) (SPS, error) {
	if TypeOf(nalu) != NALUTypeSPS {
		return SPS{}, fmt.Errorf("%w: NAL unit type %v is not an SPS", ErrBadSPS, TypeOf(nalu))
	}
	r := &bitReader{b: RemoveEmulationPrevention(nalu[1:])}
	var s SPS
	s.ProfileIDC = uint8(r.u(8))
	s.ConstraintFlags = uint8(r.u(8))
	s.LevelIDC = uint8(r.u(8))
	s.ID = r.ue()
	if s.ID > 31 {
		return SPS{}, fmt.Errorf("%w: seq_parameter_set_id %d", ErrBadSPS, s.ID)
	}
	s.ChromaFormatIDC = 1
	s.BitDepthLuma = 8
	separateColourPlane := false
	if hasChromaInfo(s.ProfileIDC) {
		s.ChromaFormatIDC = r.ue()
		if s.ChromaFormatIDC > 3 {
			return SPS{}, fmt.Errorf("%w: chroma_format_idc %d", ErrBadSPS, s.ChromaFormatIDC)
		}
		if s.ChromaFormatIDC == 3 {
			separateColourPlane = r.flag()
		}
		depth := r.ue()
		r.ue() // bit_depth_chroma_minus8
		if depth > 6 {
			return SPS{}, fmt.Errorf("%w: bit_depth_luma_minus8 %d", ErrBadSPS, depth)
		}
		s.BitDepthLuma = 8 + int(depth)
		r.flag()      // qpprime_y_zero_transform_bypass_flag
		if r.flag() { // seq_scaling_matrix_present_flag
			lists := 8
			if s.ChromaFormatIDC == 3 {
				lists = 12
			}
			for i := range lists {
				if r.flag() {
					size := 16
					if i >= 6 {
						size = 64
					}
					skipScalingList(r, size)
				}
			}
		}
	}
	if r.ue() > 12 { // log2_max_frame_num_minus4
		return SPS{}, fmt.Errorf("%w: log2_max_frame_num out of range", ErrBadSPS)
	}
	switch pocType := r.ue(); pocType {
	case 0:
		if r.ue() > 12 {
			return SPS{}, fmt.Errorf("%w: log2_max_pic_order_cnt_lsb out of range", ErrBadSPS)
		}
	case 1:
		r.flag() // delta_pic_order_always_zero_flag
		r.se()   // offset_for_non_ref_pic
		r.se()   // offset_for_top_to_bottom_field
		n := r.ue()
		if n > 255 {
			return SPS{}, fmt.Errorf("%w: num_ref_frames_in_pic_order_cnt_cycle %d", ErrBadSPS, n)
		}
		for range n {
			r.se()
		}
	case 2:
	default:
		return SPS{}, fmt.Errorf("%w: pic_order_cnt_type %d", ErrBadSPS, pocType)
	}
	r.ue()   // max_num_ref_frames
	r.flag() // gaps_in_frame_num_value_allowed_flag
	widthMBs := r.ue() + 1
	heightMapUnits := r.ue() + 1
	s.FrameMBsOnly = r.flag()
	if !s.FrameMBsOnly {
		r.flag() // mb_adaptive_frame_field_flag
	}
	r.flag() // direct_8x8_inference_flag
	var cropLeft, cropRight, cropTop, cropBottom uint32
	if r.flag() {
		cropLeft, cropRight, cropTop, cropBottom = r.ue(), r.ue(), r.ue(), r.ue()
	}
	if r.flag() { // vui_parameters_present_flag
		s.FrameRate = parseVUIFrameRate(r)
	}
	if r.err != nil {
		return SPS{}, fmt.Errorf("%w: %w", ErrBadSPS, r.err)
	}

	fieldFactor := uint32(2)
	if s.FrameMBsOnly {
		fieldFactor = 1
	}
	if widthMBs > maxDimension/16 || heightMapUnits*fieldFactor > maxDimension/16 {
		return SPS{}, fmt.Errorf("%w: picture of %dx%d macroblocks is too large", ErrBadSPS, widthMBs, heightMapUnits*fieldFactor)
	}
	cropX, cropY := cropUnits(s.ChromaFormatIDC, separateColourPlane)
	cropY *= fieldFactor
	width := int64(widthMBs) * 16
	height := int64(heightMapUnits*fieldFactor) * 16
	width -= int64(cropX) * (int64(cropLeft) + int64(cropRight))
	height -= int64(cropY) * (int64(cropTop) + int64(cropBottom))
	if width <= 0 || height <= 0 {
		return SPS{}, fmt.Errorf("%w: cropping leaves no picture", ErrBadSPS)
	}
	s.Width, s.Height = int(width), int(height)
	return s, nil
}

// hasChromaInfo reports whether profile_idc carries chroma format and bit
// depth fields (the High profiles and their relatives).
func hasChromaInfo(profile uint8) bool {
	switch profile {
	case 100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135:
		return true
	}
	return false
}

// cropUnits returns CropUnitX and CropUnitY for a frame picture (7-19 to
// 7-22).
func cropUnits(chromaFormat uint32, separateColourPlane bool) (x, y uint32) {
	if separateColourPlane || chromaFormat == 0 {
		return 1, 1
	}
	switch chromaFormat {
	case 1:
		return 2, 2
	case 2:
		return 2, 1
	}
	return 1, 1
}

func skipScalingList(r *bitReader, size int) {
	last, next := int32(8), int32(8)
	for range size {
		if next != 0 {
			next = (last + r.se() + 256) % 256
		}
		if next != 0 {
			last = next
		}
		if r.err != nil {
			return
		}
	}
}

// parseVUIFrameRate reads the VUI up to its timing info (E.1.1) and
// returns the frame rate it gives, or 0.
func parseVUIFrameRate(r *bitReader) float64 {
	if r.flag() { // aspect_ratio_info_present_flag
		if r.u(8) == 255 { // Extended_SAR
			r.u(16)
			r.u(16)
		}
	}
	if r.flag() { // overscan_info_present_flag
		r.flag()
	}
	if r.flag() { // video_signal_type_present_flag
		r.u(3)
		r.flag()
		if r.flag() { // colour_description_present_flag
			r.u(24)
		}
	}
	if r.flag() { // chroma_loc_info_present_flag
		r.ue()
		r.ue()
	}
	if !r.flag() { // timing_info_present_flag
		return 0
	}
	units := r.u(32)
	scale := r.u(32)
	if r.err != nil || units == 0 || scale == 0 {
		return 0
	}
	return float64(scale) / (2 * float64(units))
}
