package rtp

import "time"

// Clock rates of the RTP payload formats p2pcam sends.
const (
	VideoClockRate = 90000 // H.264, RFC 6184 section 8.2.1
	G711ClockRate  = 8000  // PCMA and PCMU, RFC 3551 section 4.5.14
)

// Timestamp converts pts, a time on the agent's shared time base, into
// RTP clock units at rate (a multiple of 1000 Hz) from offset, wrapping
// as RTP timestamps do. The agent stamps frames in whole milliseconds,
// so nothing is lost; finer parts of pts are dropped.
func Timestamp(pts time.Duration, rate uint32, offset uint32) uint32 {
	return offset + uint32(uint64(pts/time.Millisecond)*uint64(rate/1000))
}
