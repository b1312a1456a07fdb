// Package h264 handles the H.264 elementary stream as cameras emit it:
// NAL unit types, Annex-B and AVCC framing, access-unit assembly from a
// byte stream, SPS parsing, and SPS/PPS tracking so that every IDR can be
// sent with the parameter sets a new viewer needs to start decoding.
//
// Nothing here decodes pictures; it only reads what a muxer and a stream
// hub need to know about them.
package h264
