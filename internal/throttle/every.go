package throttle

import (
	"sync"
	"time"
)

// Every counts events and lets one through per Interval, so that an
// attack is logged once per interval rather than once per packet. The
// zero value lets one through per DefaultEvery.
type Every struct {
	// Interval defaults to DefaultEvery.
	Interval time.Duration

	mu   sync.Mutex // guards last, n
	last time.Time
	n    int
}

// DefaultEvery is Every's default interval.
const DefaultEvery = 10 * time.Second

// Tick counts an event at now. It reports true at most once per Interval,
// with the number of events counted since the last true (this one
// included).
func (e *Every) Tick(now time.Time) (n int, ok bool) {
	iv := e.Interval
	if iv <= 0 {
		iv = DefaultEvery
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.n++
	if !e.last.IsZero() && now.Sub(e.last) < iv {
		return 0, false
	}
	n, e.n, e.last = e.n, 0, now
	return n, true
}
