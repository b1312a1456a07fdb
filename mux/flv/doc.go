// Package flv writes and reads FLV (Flash Video) streams: the container
// that HTTP-FLV live view carries.
//
// The Muxer turns media.Frames into FLV for one viewer: the file header,
// an onMetaData script tag, AVC and AAC sequence headers, and one tag per
// frame with timestamps that start at 0 and strictly increase per track.
// In steady state it does not allocate.
//
// The Demuxer reads FLV from an untrusted peer (talkback, tests): it
// bounds every size it reads, and ParseVideoData, ParseAudioData,
// ParseAVCConfig and DecodeAMF0 take tag bodies apart.
//
// The layout follows the FLV and F4V file format specification, version
// 10.1 (Annex E), AMF0 (Action Message Format, AMF 0), and ISO/IEC
// 14496-15 5.2.4.1 for the AVC decoder configuration record.
package flv
