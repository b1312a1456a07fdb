package agent

import (
	"sync"
	"time"
)

// meterWindow is how long a meter measures a rate over: long enough to
// span a GOP's burst of bytes, short enough to show a change soon.
const meterWindow = 2 * time.Second

// meter measures how fast a count grows (bytes, frames): the rate over
// the latest complete window of meterWindow, or, before one completes or
// once the count stops growing, over the time since the window began.
// A window counts what comes after its start.
// Safe for concurrent use.
type meter struct {
	mu      sync.Mutex // guards the fields below
	total   int64
	start   time.Time // of the current window; zero before the first add
	base    int64     // total at start
	rate    float64   // per second, over the latest complete window
	hasRate bool
}

// add counts n more at now.
func (m *meter) add(n int64, now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.total += n
	if m.start.IsZero() {
		// The window holds what comes after its start: the first count
		// marks the start, as a frame marks the start of an interval.
		m.start, m.base = now, m.total
		return
	}
	if d := now.Sub(m.start); d >= meterWindow {
		m.rate, m.hasRate = float64(m.total-m.base)/d.Seconds(), true
		m.start, m.base = now, m.total
	}
}

// perSecond returns the rate at now.
func (m *meter) perSecond(now time.Time) float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.start.IsZero() {
		return 0
	}
	d := now.Sub(m.start)
	if m.hasRate && d < meterWindow {
		return m.rate
	}
	// No complete window yet, or nothing counted for a while: what came
	// since the window began, which falls towards 0 as time passes.
	if d <= 0 {
		return 0
	}
	return float64(m.total-m.base) / d.Seconds()
}

// count returns the total counted.
func (m *meter) count() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.total
}
