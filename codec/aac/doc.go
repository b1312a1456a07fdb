// Package aac decodes and encodes MPEG-4 AAC-LC (ISO/IEC 14496-3
// subpart 4, the same bitstream as the MPEG-2 AAC Low Complexity profile
// of ISO/IEC 13818-7) for mono and stereo, in pure Go.
//
// Config is the AudioSpecificConfig carried in MP4 esds boxes and SDP
// (config=); ADTS framing is read by ParseADTSHeader and SplitADTS and
// written by AppendADTSHeader. A Decoder turns one raw_data_block into
// 1024 interleaved 16-bit samples per channel; an Encoder does the
// reverse, with long blocks only or, optionally, with block switching
// for transients (see Encoder for its limits and delay).
package aac
