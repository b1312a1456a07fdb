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
	iv := e.interval()
	e.mu.Lock()
	defer e.mu.Unlock()
	e.n++
	if !e.last.IsZero() && now.Sub(e.last) < iv {
		return 0, false
	}
	n, e.n, e.last = e.n, 0, now
	return n, true
}

func (e *Every) interval() time.Duration {
	if e.Interval <= 0 {
		return DefaultEvery
	}
	return e.Interval
}

// EveryKey is an Every per key (a subject, an address, a kind of abuse):
// one event per key and Interval gets through. It keeps at most MaxKeys
// keys; beyond that, keys quiet for an Interval are forgotten, and while
// none is, a new key's events get through uncounted. The zero value is
// ready to use.
type EveryKey struct {
	// Interval defaults to DefaultEvery.
	Interval time.Duration
	// MaxKeys defaults to DefaultMaxKeys.
	MaxKeys int

	mu   sync.Mutex // guards keys
	keys map[string]*Every
}

// Tick counts an event for key at now, as Every.Tick does.
func (e *EveryKey) Tick(key string, now time.Time) (n int, ok bool) {
	e.mu.Lock()
	every, seen := e.keys[key]
	if !seen {
		if e.keys == nil {
			e.keys = make(map[string]*Every)
		}
		max := e.MaxKeys
		if max <= 0 {
			max = DefaultMaxKeys
		}
		if len(e.keys) >= max {
			e.forgetQuiet(now)
		}
		every = &Every{Interval: e.Interval}
		if len(e.keys) < max {
			e.keys[key] = every
		}
	}
	e.mu.Unlock()
	return every.Tick(now)
}

// forgetQuiet drops the keys with no event for an Interval; e.mu is held.
func (e *EveryKey) forgetQuiet(now time.Time) {
	for k, every := range e.keys {
		every.mu.Lock()
		quiet := now.Sub(every.last) >= every.interval()
		every.mu.Unlock()
		if quiet {
			delete(e.keys, k)
		}
	}
}
