package discovery

import (
	"net/netip"
	"time"
)

// limiter bounds answers: per sender address and in total, each in
// windows of one second. It runs on the responder's one goroutine.
type limiter struct {
	perAddr, total int // answers a window
	window         time.Time
	sent           int
	bySender       map[netip.Addr]int
}

// maxSenders bounds the per-sender table: past it, a window answers only
// the senders it has seen (spoofed sources cannot grow it).
const maxSenders = 1024

// allow reports whether one more answer to from may go at now.
func (l *limiter) allow(from netip.Addr, now time.Time) bool {
	if now.Sub(l.window) >= time.Second || now.Before(l.window) {
		l.window, l.sent = now, 0
		clear(l.bySender)
	}
	if l.bySender == nil {
		l.bySender = map[netip.Addr]int{}
	}
	n, seen := l.bySender[from]
	if l.sent >= l.total || n >= l.perAddr || (!seen && len(l.bySender) >= maxSenders) {
		return false
	}
	l.sent++
	l.bySender[from] = n + 1
	return true
}
