// Package clock is the time seam of p2pcam: production code takes a Clock,
// tests pass a Fake and move time by hand instead of sleeping.
package clock

import (
	"context"
	"time"
)

// Clock tells the time and runs functions later.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f in its own goroutine after d.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending AfterFunc call.
type Timer interface {
	// Stop prevents the call; it reports whether the call was pending.
	Stop() bool
}

// Real is the system clock.
type Real struct{}

// Now returns time.Now().
func (Real) Now() time.Time { return time.Now() }

// AfterFunc wraps time.AfterFunc.
func (Real) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }

// Or returns c, or the real clock when c is nil, so that a zero Config works.
func Or(c Clock) Clock {
	if c == nil {
		return Real{}
	}
	return c
}

// SleepUntil waits until c reaches t or ctx is done, whichever is first.
// It returns ctx.Err() when ctx ended the wait.
func SleepUntil(ctx context.Context, c Clock, t time.Time) error {
	d := t.Sub(c.Now())
	if d <= 0 {
		return ctx.Err()
	}
	done := make(chan struct{})
	timer := c.AfterFunc(d, func() { close(done) })
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		timer.Stop()
		return ctx.Err()
	}
}
