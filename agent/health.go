package agent

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/p2pcam/p2pcam/capture"
	"github.com/p2pcam/p2pcam/media"
	"github.com/p2pcam/p2pcam/stream"
)

// Health limits.
const (
	// stallAfter: a video source that runs, with viewers waiting, yet
	// has made no video frame for this long is stuck (a hung camera
	// driver, an encoder that stopped). A command source restarts a
	// failed command within 30 s, so a shorter limit would count its
	// retries as stuck.
	stallAfter = 60 * time.Second
	// probeTimeout: a stream hub that does not answer within this is
	// wedged (a deadlock).
	probeTimeout = 5 * time.Second
)

// health is what Healthy watches and remembers between calls.
type health struct {
	failed atomic.Bool                      // Run ended with an error
	bad    atomic.Bool                      // the last check failed, for logging changes only
	video  map[media.Quality]*atomic.Uint64 // video frames per stream; set up in New, read-only after

	stallAfter time.Duration // 0: the constant; tests shorten it

	mu       sync.Mutex // guards progress
	progress map[media.Quality]progress
}

// progress is the last time a stream was seen not stuck.
type progress struct {
	frames uint64
	at     time.Time
}

// watch counts the video frames of src, the source of stream q. Audio
// mixed in later does not count: a stuck camera with a working
// microphone is stuck.
func (h *health) watch(q media.Quality, src capture.Source) capture.Source {
	if h.video == nil {
		h.video = map[media.Quality]*atomic.Uint64{}
	}
	n := &atomic.Uint64{}
	h.video[q] = n
	return countVideo{src, n}
}

type countVideo struct {
	capture.Source
	n *atomic.Uint64
}

func (c countVideo) Run(ctx context.Context, emit func(*media.Frame)) error {
	return c.Source.Run(ctx, func(f *media.Frame) {
		if f.Kind == media.KindVideo {
			c.n.Add(1)
		}
		emit(f)
	})
}

// Healthy reports whether the agent works, for the hardware watchdog and
// the status LED: Run has not failed, every stream hub answers within
// 5 s, and no video source is stuck, i.e. running with viewers yet making
// no frame for 60 s. A source that stopped is not unhealthy: the next
// viewer starts it again. Healthy is meant to be polled every few
// seconds; it is safe for concurrent use.
func (a *Agent) Healthy() bool {
	why, attrs := a.checkHealth()
	if a.health.bad.Swap(why != "") != (why != "") { // log changes only: several callers poll
		if why != "" {
			a.log.Error("unhealthy: "+why, attrs...)
		} else {
			a.log.Info("healthy again")
		}
	}
	return why == ""
}

// checkHealth returns why the agent is unhealthy, or "".
func (a *Agent) checkHealth() (why string, attrs []any) {
	if a.health.failed.Load() {
		return "the agent stopped with an error", nil
	}
	stats, ok := a.probeStats()
	if !ok {
		return "a stream hub does not answer", []any{"timeout", probeTimeout}
	}
	now := a.cfg.Clock.Now()
	a.health.mu.Lock()
	defer a.health.mu.Unlock()
	if a.health.progress == nil {
		a.health.progress = map[media.Quality]progress{}
	}
	limit := a.health.stallAfter
	if limit == 0 {
		limit = stallAfter
	}
	for q, st := range stats {
		frames := a.health.video[q].Load()
		last, seen := a.health.progress[q]
		if !seen || !st.Running || st.Subscribers == 0 || frames != last.frames {
			a.health.progress[q] = progress{frames: frames, at: now}
			continue
		}
		if stuck := now.Sub(last.at); stuck >= limit && why == "" {
			why, attrs = "stream stuck", []any{"stream", q, "viewers", st.Subscribers, "no_video_for", stuck.Round(time.Second)}
		}
	}
	return why, attrs
}

// probeStats reads every hub's counters, or gives up after probeTimeout.
// A wedged hub leaves its probe goroutine blocked: the board is about to
// reboot anyway.
func (a *Agent) probeStats() (map[media.Quality]stream.Stats, bool) {
	done := make(chan map[media.Quality]stream.Stats, 1)
	go func() { done <- a.Stats() }()
	timeout := make(chan struct{})
	t := a.cfg.Clock.AfterFunc(probeTimeout, func() { close(timeout) })
	defer t.Stop()
	select {
	case s := <-done:
		return s, true
	case <-timeout:
		return nil, false
	}
}
