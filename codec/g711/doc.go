// Package g711 implements the ITU-T G.711 A-law and µ-law companding of
// 16-bit linear PCM to 8-bit codes, as used by RTP payload types PCMA (8)
// and PCMU (0).
//
// Encoding follows the decision levels of G.711 tables 1a/2a (the same
// bit-exact rules as the ITU-T G.191 reference): the 16-bit input is
// truncated to the law's linear resolution (13 bits for A-law, 14 for
// µ-law) and each magnitude maps to the segment and step containing it.
// Decoding returns the centre of each step, scaled to 16 bits. Every
// function is append-style and allocates nothing when dst has capacity.
package g711
