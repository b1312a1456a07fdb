package capture

import "time"

// Backoff spaces the restarts of a failing capture: the delay doubles
// from Min to Max, and starts again from Min after a run that lasted
// Stable or longer. Sources in other packages (v4l2cam) use it too. One
// goroutine uses it at a time.
type Backoff struct {
	Min, Max, Stable time.Duration

	next time.Duration // 0 before the first restart
}

// After returns how long to wait before the next attempt, now that a run
// that lasted ran has ended.
func (b *Backoff) After(ran time.Duration) time.Duration {
	if b.next == 0 || ran >= b.Stable {
		b.next = b.Min
	}
	d := b.next
	b.next = min(2*b.next, b.Max)
	return d
}
