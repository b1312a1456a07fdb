package stream

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/p2pcam/p2pcam/internal/clock"
	"github.com/p2pcam/p2pcam/media"
)

// Source is what a hub runs: every capture.Source is one. Run produces
// frames until ctx is done and returns nil then, or an error when it cannot
// go on.
type Source interface {
	Run(ctx context.Context, emit func(*media.Frame)) error
}

// Hub fans the frames of one source out to its subscribers.
type Hub struct {
	cfg Config
	src Source
	log *slog.Logger

	mu        sync.Mutex // guards every field below, and is taken before a Subscriber's mu
	subs      []*Subscriber
	gop       []*media.Frame // the latest keyframe and what followed it; empty when none is cached
	videoSeen bool           // the running source has produced video
	running   bool
	gen       uint64 // counts source runs; frames from an older run are ignored
	cancel    context.CancelFunc
	runDone   chan struct{} // closed when the latest run has returned
	idle      clock.Timer   // pending idle stop, or nil
	closed    bool
	published uint64
	dropped   uint64           // frames dropped by subscribers that have left
	late      uint64           // of dropped, those their transports skipped
	video     *media.VideoInfo // of the latest video frame, kept across runs
}

// Stats is a snapshot of a hub's counters.
type Stats struct {
	Subscribers int
	Running     bool   // the source is running
	Published   uint64 // frames received from the source
	Dropped     uint64 // frames dropped for slow subscribers, over the hub's life
	Late        uint64 // of Dropped, those the subscribers' transports skipped to catch up with live
	GOPFrames   int    // frames in the GOP cache
}

// New returns a hub for src. The source does not start until the first
// Subscribe.
func New(src Source, cfg Config) (*Hub, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Hub{cfg: cfg, src: src, log: cfg.Logger.With("stream", cfg.Name)}, nil
}

// Subscribe adds a subscriber, starting the source if it is not running.
// The subscriber's queue starts with the cached GOP, if any; otherwise its
// first frame is the next keyframe. Close the subscriber when done.
func (h *Hub) Subscribe() (*Subscriber, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, ErrClosed
	}
	s := newSubscriber(h, h.cfg.QueueFrames, h.cfg.QueueBytes)
	if len(h.gop) == 0 {
		s.waitKey = true
	}
	for _, f := range h.gop {
		s.push(f, h.videoSeen)
	}
	if n := len(h.gop); n > 0 {
		s.cachedUntil, s.cached = h.gop[n-1].PTS, true
	}
	h.subs = append(h.subs, s)
	if h.idle != nil {
		h.idle.Stop()
		h.idle = nil
	}
	if !h.running {
		h.start()
	}
	return s, nil
}

// VideoInfo returns the parameters of the latest video frame the hub has
// seen, in this run of its source or an earlier one; nil before any.
func (h *Hub) VideoInfo() *media.VideoInfo {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.video
}

// Stats returns the hub's counters.
func (h *Hub) Stats() Stats {
	h.mu.Lock()
	defer h.mu.Unlock()
	st := Stats{
		Subscribers: len(h.subs),
		Running:     h.running,
		Published:   h.published,
		Dropped:     h.dropped,
		Late:        h.late,
		GOPFrames:   len(h.gop),
	}
	for _, s := range h.subs {
		st.Dropped += s.Dropped()
		st.Late += s.Late()
	}
	return st
}

// Close stops the source, ends every subscriber with ErrClosed, and waits
// for the source to return.
func (h *Hub) Close() {
	h.mu.Lock()
	h.closed = true
	if h.idle != nil {
		h.idle.Stop()
		h.idle = nil
	}
	h.stop()
	for _, s := range h.subs {
		s.fail(ErrClosed)
	}
	h.subs = nil
	done := h.runDone
	h.mu.Unlock()
	if done != nil {
		<-done
	}
}

// start runs the source. h.mu must be held.
func (h *Hub) start() {
	ctx, cancel := context.WithCancel(context.Background())
	h.gen++
	gen := h.gen
	h.running, h.cancel, h.videoSeen = true, cancel, false
	done := make(chan struct{})
	h.runDone = done
	h.log.Info("starting source")
	go func() {
		defer close(done)
		err := h.src.Run(ctx, func(f *media.Frame) { h.publish(gen, f) })
		h.stopped(gen, err)
	}()
}

// stop cancels the running source without waiting for it. h.mu must be held.
func (h *Hub) stop() {
	if !h.running {
		return
	}
	h.cancel()
	h.running = false
	h.gen++
	clear(h.gop)
	h.gop = h.gop[:0]
}

// stopped handles the return of source run gen.
func (h *Hub) stopped(gen uint64, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if gen != h.gen {
		return // stopped on purpose
	}
	h.stop()
	if err == nil {
		err = fmt.Errorf("source ended")
	}
	h.log.Error("source stopped; ending its viewers' streams", "err", err)
	err = fmt.Errorf("%w: %w", ErrSourceFailed, err)
	for _, s := range h.subs {
		s.fail(err)
	}
}

// publish hands f to every subscriber. It never blocks on a subscriber.
func (h *Hub) publish(gen uint64, f *media.Frame) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if gen != h.gen {
		return
	}
	h.published++
	if f.Video != nil {
		h.video = f.Video
	}
	h.cache(f)
	for _, s := range h.subs {
		s.push(f, h.videoSeen)
	}
}

// cache keeps the GOP cache current. h.mu must be held.
func (h *Hub) cache(f *media.Frame) {
	switch {
	case f.Kind == media.KindVideo && f.Key:
		h.videoSeen = true
		clear(h.gop)
		h.gop = append(h.gop[:0], f)
	case f.Kind == media.KindVideo:
		h.videoSeen = true
		fallthrough
	default:
		if len(h.gop) == 0 {
			return
		}
		if len(h.gop) >= h.cfg.GOPFrames {
			// Too long to cache: new subscribers wait for the next keyframe.
			clear(h.gop)
			h.gop = h.gop[:0]
			return
		}
		h.gop = append(h.gop, f)
	}
}

// remove takes s off the hub and schedules the idle stop.
func (h *Hub) remove(s *Subscriber) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i, x := range h.subs {
		if x == s {
			last := len(h.subs) - 1
			h.subs[i] = h.subs[last]
			h.subs[last] = nil
			h.subs = h.subs[:last]
			h.dropped += s.Dropped()
			h.late += s.Late()
			break
		}
	}
	if len(h.subs) == 0 && h.running && h.idle == nil {
		h.idle = h.cfg.Clock.AfterFunc(h.cfg.IdleTimeout, h.idleStop)
	}
}

func (h *Hub) idleStop() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.idle = nil
	if len(h.subs) == 0 && h.running {
		h.log.Info("no viewers left; stopping source", "idle_timeout", h.cfg.IdleTimeout)
		h.stop()
	}
}
