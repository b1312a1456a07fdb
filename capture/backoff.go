package capture

import "time"

// backoff spaces the restarts of a failing capture: the delay doubles
// from min to max, and starts again from min after a run that lasted
// stable or longer.
type backoff struct {
	min, max, stable time.Duration
	next             time.Duration // 0 before the first restart
}

// after returns how long to wait before the next attempt, now that a run
// that lasted ran has ended.
func (b *backoff) after(ran time.Duration) time.Duration {
	if b.next == 0 || ran >= b.stable {
		b.next = b.min
	}
	d := b.next
	b.next = min(2*b.next, b.max)
	return d
}
