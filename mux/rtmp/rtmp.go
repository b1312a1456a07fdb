// Package rtmp is a minimal RTMP client: it publishes a live stream to a
// relay (nginx with libnginx-mod-rtmp) and plays one back from it.
//
// It speaks only what that needs: the simple (version 3, unsigned)
// handshake, chunking of messages in both directions, the protocol
// control messages (set chunk size, window acknowledgement size,
// acknowledgement, user control ping), and the AMF0 commands connect,
// createStream, publish, play and onStatus. Media messages carry FLV tag
// bodies unchanged, so a publisher sends the tags of an flv.Muxer and a
// player gets FLV tags back (see FLVWriter).
//
// Everything read from the server is bounded (MaxMessageSize,
// maxChunkSize) and fuzzed. The layout follows Adobe's RTMP
// specification 1.0 (sections 5.2 handshake, 5.3 chunking, 5.4 control
// messages, 7.2 commands).
package rtmp
