package p2p

import (
	"sync"
	"time"
)

// abuseLogEvery is how often the camera logs each kind of abuse by one
// subject: a flood of offers gives a line per interval, not per message.
const abuseLogEvery = 10 * time.Second

// logLimiter lets one log line per key through every interval and counts
// those it holds back.
type logLimiter struct {
	every time.Duration
	mu    sync.Mutex // guards last and held
	last  map[string]time.Time
	held  map[string]int
}

func newLogLimiter(every time.Duration) *logLimiter {
	return &logLimiter{every: every, last: map[string]time.Time{}, held: map[string]int{}}
}

// allow reports whether a line for key may be logged at now, and how many
// were held back since the last one.
func (l *logLimiter) allow(key string, now time.Time) (ok bool, held int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if last, seen := l.last[key]; seen && now.Sub(last) < l.every {
		l.held[key]++
		return false, 0
	}
	if len(l.last) >= maxBuckets {
		for k, t := range l.last {
			if now.Sub(t) >= l.every {
				delete(l.last, k)
				delete(l.held, k)
			}
		}
	}
	held = l.held[key]
	delete(l.held, key)
	l.last[key] = now
	return true, held
}
