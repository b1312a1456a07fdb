package talkback

import (
	"sync"
	"time"

	"github.com/p2pcam/p2pcam/capture/alsa"
)

// playQueue is the jitter buffer between the network and the speaker. The
// player waits for Jitter worth of audio before it starts, then writes
// period by period; the speaker's own pace (a blocking ALSA write) sets
// the rate. Audio beyond MaxLatency is dropped from the front.
type playQueue struct {
	p        alsa.Params
	start    int // samples (interleaved) to buffer before playing
	limit    int // most samples held
	mu       sync.Mutex
	cond     *sync.Cond
	buf      []int16
	closed   bool
	nPlayed  int
	nDropped int
}

func newPlayQueue(p alsa.Params, jitter, maxLatency time.Duration) *playQueue {
	perSec := p.Rate * p.Channels
	q := &playQueue{
		p:     p,
		start: int(jitter.Seconds() * float64(perSec)),
		limit: int(maxLatency.Seconds() * float64(perSec)),
	}
	q.cond = sync.NewCond(&q.mu)
	return q
}

// push queues samples.
func (q *playQueue) push(s []int16) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.buf = append(q.buf, s...)
	if over := len(q.buf) - q.limit; over > 0 {
		over -= over % q.p.Channels
		q.buf = append(q.buf[:0], q.buf[over:]...)
		q.nDropped += over
	}
	q.cond.Signal()
}

// close lets the player drain what is queued and stop.
func (q *playQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.cond.Signal()
}

// run writes queued audio to spk until the queue is closed and empty. It
// returns when the first sample was written.
func (q *playQueue) run(spk alsa.Player) (first time.Time, err error) {
	period := q.p.PeriodFrames * q.p.Channels
	if period <= 0 {
		period = q.p.Rate * q.p.Channels / 50
	}
	chunk := make([]int16, 0, period)
	started := false
	for {
		q.mu.Lock()
		for !q.closed && (len(q.buf) == 0 || !started && len(q.buf) < q.start) {
			q.cond.Wait()
		}
		if len(q.buf) == 0 && q.closed {
			q.mu.Unlock()
			return first, nil
		}
		started = true
		n := min(period, len(q.buf))
		chunk = append(chunk[:0], q.buf[:n]...)
		q.buf = append(q.buf[:0], q.buf[n:]...)
		q.mu.Unlock()
		if _, err := spk.Write(chunk); err != nil {
			return first, err
		}
		if first.IsZero() {
			first = time.Now()
		}
		q.mu.Lock()
		q.nPlayed += n
		q.mu.Unlock()
	}
}

func (q *playQueue) duration(samples int) time.Duration {
	return time.Duration(samples) * time.Second / time.Duration(q.p.Rate*q.p.Channels)
}

func (q *playQueue) played() time.Duration {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.duration(q.nPlayed)
}

func (q *playQueue) dropped() time.Duration {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.duration(q.nDropped)
}
