package stream

import (
	"context"
	"sync"
	"time"

	"github.com/p2pcam/p2pcam/media"
)

// Subscriber receives a hub's frames through a bounded queue.
type Subscriber struct {
	hub    *Hub
	notify chan struct{} // holds a token while frames may be waiting
	once   sync.Once
	// cachedUntil is the PTS of the newest frame the subscriber started
	// with from the GOP cache; cached tells whether there was one.
	cachedUntil time.Duration
	cached      bool

	mu       sync.Mutex // guards every field below
	ring     []*media.Frame
	head, n  int
	bytes    int // payload bytes queued
	maxBytes int
	waitKey  bool // dropping until the next keyframe
	skipping bool // waitKey because the transport skipped (SkipToKeyframe)
	dropped  uint64
	late     uint64 // of dropped, those the transport skipped
	err      error  // set once the subscriber has ended
}

func newSubscriber(h *Hub, frames, bytes int) *Subscriber {
	return &Subscriber{
		hub:      h,
		notify:   make(chan struct{}, 1),
		ring:     make([]*media.Frame, frames),
		maxBytes: bytes,
	}
}

// CachedUntil returns the capture time of the newest frame the subscriber
// started with from the hub's GOP cache: what came before it is backlog a
// viewer is given so that its first picture comes at once. It returns
// false when the subscriber started with no cache.
func (s *Subscriber) CachedUntil() (time.Duration, bool) { return s.cachedUntil, s.cached }

// Next returns the next frame, waiting for one. It returns an error once
// the subscriber is closed, the hub's source failed, or ctx is done.
func (s *Subscriber) Next(ctx context.Context) (*media.Frame, error) {
	for {
		f, err := s.TryNext()
		if f != nil || err != nil {
			return f, err
		}
		select {
		case <-s.notify:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// TryNext returns the next frame if one is queued, or nil.
func (s *Subscriber) TryNext() (*media.Frame, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.n == 0 {
		return nil, s.err
	}
	f := s.ring[s.head]
	s.ring[s.head] = nil
	s.head = (s.head + 1) % len(s.ring)
	s.n--
	s.bytes -= len(f.Payload)
	return f, nil
}

// SkipToKeyframe drops every queued frame and the frames that follow up to
// the next keyframe. A transport calls it when its own send buffer grows,
// so that the viewer catches up with live.
func (s *Subscriber) SkipToKeyframe() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.late += uint64(s.n)
	s.dropQueue()
	s.waitKey, s.skipping = true, true
}

// Discard counts one frame taken from the queue as dropped: the transport
// decided not to send it.
func (s *Subscriber) Discard() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropped++
	s.late++
}

// Dropped returns how many frames this subscriber has lost: to overflow,
// and skipped by its transport (Late).
func (s *Subscriber) Dropped() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dropped
}

// Late returns how many of the dropped frames the transport skipped to
// catch up with live (Discard, SkipToKeyframe), rather than lost to a
// full queue.
func (s *Subscriber) Late() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.late
}

// Queued returns the frames and payload bytes waiting in the queue.
func (s *Subscriber) Queued() (frames, bytes int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n, s.bytes
}

// Close leaves the hub. Next then returns ErrClosed.
func (s *Subscriber) Close() {
	s.once.Do(func() {
		s.fail(ErrClosed)
		s.hub.remove(s)
	})
}

// push queues f, or drops it per the overflow policy. videoSeen tells
// whether the stream has video, so that an audio-only stream can resume
// at any frame.
func (s *Subscriber) push(f *media.Frame, videoSeen bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return
	}
	canStart := f.Key && (f.Kind == media.KindVideo || !videoSeen)
	if s.waitKey && !canStart {
		s.dropped++
		if s.skipping {
			s.late++
		}
		return
	}
	s.waitKey, s.skipping = false, false
	if s.n == len(s.ring) || s.bytes+len(f.Payload) > s.maxBytes {
		s.dropQueue()
		if !canStart {
			s.waitKey = true
			s.dropped++
			return
		}
	}
	s.ring[(s.head+s.n)%len(s.ring)] = f
	s.n++
	s.bytes += len(f.Payload)
	s.signal()
}

// dropQueue empties the queue, counting what it drops. s.mu must be held.
func (s *Subscriber) dropQueue() {
	s.dropped += uint64(s.n)
	for s.n > 0 {
		s.ring[s.head] = nil
		s.head = (s.head + 1) % len(s.ring)
		s.n--
	}
	s.bytes = 0
}

// fail ends the subscriber with err, keeping what is queued readable.
func (s *Subscriber) fail(err error) {
	s.mu.Lock()
	if s.err == nil {
		s.err = err
	}
	s.mu.Unlock()
	s.signal()
}

func (s *Subscriber) signal() {
	select {
	case s.notify <- struct{}{}:
	default:
	}
}
