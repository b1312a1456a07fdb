package event

import (
	"sync"
	"sync/atomic"
)

// Bus defaults.
const (
	// DefaultQueue is each subscriber's queue: a viewer's link can stall
	// for a few seconds; events come a few a second at most.
	DefaultQueue = 64
	// DefaultMaxSubscribers bounds the subscribers: 32 P2P viewers, LAN
	// viewers and the MQTT publisher, with room to spare.
	DefaultMaxSubscribers = 128
)

// BusConfig configures a Bus. The zero value works.
type BusConfig struct {
	// Queue is each subscriber's queue length. It defaults to
	// DefaultQueue.
	Queue int
	// MaxSubscribers bounds the subscribers. It defaults to
	// DefaultMaxSubscribers.
	MaxSubscribers int
}

// Bus fans events out to subscribers. Publish never blocks: a
// subscriber whose queue is full loses the event, and the loss is
// counted (Sub.Dropped, Bus.Dropped). It is safe for concurrent use.
type Bus struct {
	cfg     BusConfig
	dropped atomic.Uint64
	sent    atomic.Uint64

	mu     sync.Mutex // guards subs and closed
	subs   map[*Sub]struct{}
	closed bool
}

// NewBus returns an empty bus.
func NewBus(cfg BusConfig) *Bus {
	if cfg.Queue <= 0 {
		cfg.Queue = DefaultQueue
	}
	if cfg.MaxSubscribers <= 0 {
		cfg.MaxSubscribers = DefaultMaxSubscribers
	}
	return &Bus{cfg: cfg, subs: map[*Sub]struct{}{}}
}

// Sub is one subscriber's end of a Bus.
type Sub struct {
	bus     *Bus
	c       chan Event
	dropped atomic.Uint64
	once    sync.Once
}

// C delivers the events. It is closed when the subscriber or the bus
// closes.
func (s *Sub) C() <-chan Event { return s.c }

// Dropped returns how many events this subscriber lost to a full queue.
func (s *Sub) Dropped() uint64 { return s.dropped.Load() }

// Close leaves the bus; C is closed. It is idempotent.
func (s *Sub) Close() {
	s.bus.mu.Lock()
	defer s.bus.mu.Unlock()
	s.closeLocked()
}

// closeLocked closes s; the bus's mu is held.
func (s *Sub) closeLocked() {
	s.once.Do(func() {
		delete(s.bus.subs, s)
		close(s.c)
	})
}

// Subscribe adds a subscriber. It fails with ErrTooMany beyond
// MaxSubscribers and ErrClosed after Close.
func (b *Bus) Subscribe() (*Sub, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, ErrClosed
	}
	if len(b.subs) >= b.cfg.MaxSubscribers {
		return nil, ErrTooMany
	}
	s := &Sub{bus: b, c: make(chan Event, b.cfg.Queue)}
	b.subs[s] = struct{}{}
	return s, nil
}

// Publish hands e to every subscriber whose queue has room, and counts
// a drop for each other. It never blocks. A nil Bus drops everything,
// so a camera part can publish whether or not events are wired.
func (b *Bus) Publish(e Event) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs {
		select {
		case s.c <- e:
			b.sent.Add(1)
		default:
			s.dropped.Add(1)
			b.dropped.Add(1)
		}
	}
}

// Subscribers returns how many subscribers the bus has.
func (b *Bus) Subscribers() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs)
}

// Dropped returns the events lost to full queues, over all subscribers.
func (b *Bus) Dropped() uint64 { return b.dropped.Load() }

// Sent returns the events queued, over all subscribers.
func (b *Bus) Sent() uint64 { return b.sent.Load() }

// Close closes every subscriber; later Subscribe calls fail.
func (b *Bus) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for s := range b.subs {
		s.closeLocked()
	}
}
