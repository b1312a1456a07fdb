package p2p

import "time"

// bucket is a token bucket: up to burst tokens, refilled at rate a
// second. Unlike golang.org/x/time/rate it can give a token back, so that
// an offer whose session connects costs its viewer nothing.
type bucket struct {
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

func newBucket(rate float64, burst int, now time.Time) *bucket {
	return &bucket{rate: rate, burst: float64(burst), tokens: float64(burst), last: now}
}

// refill adds the tokens earned since the last call.
func (b *bucket) refill(now time.Time) {
	if d := now.Sub(b.last); d > 0 {
		b.tokens = min(b.burst, b.tokens+d.Seconds()*b.rate)
		b.last = now
	}
}

// take takes a token if there is one.
func (b *bucket) take(now time.Time) bool {
	b.refill(now)
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// give returns a token.
func (b *bucket) give(now time.Time) {
	b.refill(now)
	b.tokens = min(b.burst, b.tokens+1)
}

// full reports whether the bucket is full: its owner has been quiet.
func (b *bucket) full(now time.Time) bool {
	b.refill(now)
	return b.tokens >= b.burst
}
