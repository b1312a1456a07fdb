// Package rtp cuts p2pcam's frames into RTP payloads for WebRTC media
// tracks: H.264 access units in AVCC form per RFC 6184 (packetization
// mode 1: single NAL units, STAP-A for the parameter sets, FU-A for NAL
// units larger than a packet), and media timestamps on the agent's
// millisecond time base in RTP clock units. Headers, SSRCs and sequence
// numbers are the transport's (package link).
package rtp
