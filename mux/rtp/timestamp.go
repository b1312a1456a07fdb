package rtp

import "time"

// Clock rates of the RTP payload formats p2pcam sends.
const (
	VideoClockRate = 90000 // H.264, RFC 6184 section 8.2.1
	G711ClockRate  = 8000  // PCMA and PCMU, RFC 3551 section 4.5.14
)

// Timestamp converts pts, a time on the agent's shared time base (whole
// milliseconds for captured frames; finer for the backlog a viewer
// starts with, which is sent squeezed), into RTP clock units at rate
// from offset, wrapping as RTP timestamps do. Parts of a tick are
// dropped; negative times wrap too.
func Timestamp(pts time.Duration, rate uint32, offset uint32) uint32 {
	sec, frac := pts/time.Second, pts%time.Second
	if frac < 0 {
		sec, frac = sec-1, frac+time.Second
	}
	ticks := uint64(sec)*uint64(rate) + uint64(frac)*uint64(rate)/uint64(time.Second)
	return offset + uint32(ticks)
}
