package mqttclient

import (
	"math/rand/v2"
	"time"
)

// Reconnect backoff: random delays between backoffMin and a cap that
// grows from backoffFirst by backoffFactor each attempt to backoffMax
// (3.1 s by the eighth attempt). After a broker restart the first
// attempts come quickly, and a fleet of cameras does not reconnect in
// lockstep.
const (
	backoffMin    = 200 * time.Millisecond
	backoffFirst  = 500 * time.Millisecond
	backoffMax    = 30 * time.Second
	backoffFactor = 1.3
)

// backoffCap is the longest delay before attempt (0 for the first
// attempt of a connection, whether the first ever or after a drop).
func backoffCap(attempt int) time.Duration {
	d := backoffFirst
	for i := 1; i < attempt && d < backoffMax; i++ {
		d = time.Duration(float64(d) * backoffFactor)
	}
	return min(d, backoffMax)
}

// backoff is the delay before attempt: uniform in [backoffMin,
// backoffCap(attempt)].
func backoff(attempt int) time.Duration {
	c := backoffCap(attempt)
	return backoffMin + rand.N(c-backoffMin+1)
}
