package p2p

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/p2pcam/p2pcam/link"
	"github.com/p2pcam/p2pcam/protocol"
)

// Responder is what a Handler answers on: a request channel's
// link.Responder, or an early request's stand-in (below).
type Responder interface {
	WriteHead(protocol.Status, protocol.Head) error
	Write([]byte) (int, error)
	Flush() error
	Backlog() int
	SetWriteDeadline(time.Time) error
	// Tracks returns the session's media tracks, nil without them.
	Tracks() *link.Tracks
	// Done is closed when the viewer is gone from the request.
	Done() <-chan struct{}
	// Upload reads what the viewer sends on the request's channel.
	Upload() io.Reader
}

// earlyWait is how long an offer's live request runs before the viewer
// asks for it on a data channel; then it stops. A browser asks within
// a round trip or two of the connection coming up. Tests shorten it.
var earlyWait = 10 * time.Second

// early is an offer's live request (signal.Message.Live): the handler
// serves it from the moment the connection is up, so that the video
// tracks carry pictures while the viewer's SCTP association and request
// channel still open. The viewer's request for the same line, when it
// comes, takes it over (adopt): it gets the head the handler wrote, and
// the stream goes on uninterrupted, as if that request had started it.
// A request for another line replaces it the usual way (the tracks have
// one feeder); unasked, it ends after earlyWait.
type early struct {
	line   string
	tracks *link.Tracks

	mu       sync.Mutex
	head     *earlyHead      // what the handler answered, until adopted
	body     []byte          // and the body it wrote (a redirect's), until adopted
	ch       *link.Responder // the adopting request's channel
	deadline time.Time
	taken    bool          // a request channel took it over
	done     chan struct{} // closed when the request ends for the handler
	endOnce  sync.Once
	finished chan struct{} // closed when the handler has returned
}

type earlyHead struct {
	status protocol.Status
	head   protocol.Head
}

func newEarly(line string, tracks *link.Tracks) *early {
	return &early{line: line, tracks: tracks, done: make(chan struct{}), finished: make(chan struct{})}
}

// run serves the request with handle until it ends, and ends it after
// earlyWait unless a request channel took it over.
func (e *early) run(ctx context.Context, handle func(ctx context.Context, w Responder)) {
	defer close(e.finished)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	wait := time.NewTimer(earlyWait)
	go func() {
		defer wait.Stop()
		timeout := wait.C
		for {
			select {
			case <-timeout:
				timeout = nil
				e.mu.Lock()
				if !e.taken {
					e.end() // under mu: adopt sees it, or took the request first
				}
				e.mu.Unlock()
			case <-e.done:
				cancel()
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	handle(ctx, e)
}

func (e *early) end() { e.endOnce.Do(func() { close(e.done) }) }

// ended reports whether the request has ended for the handler.
func (e *early) ended() bool {
	select {
	case <-e.done:
		return true
	default:
		return false
	}
}

// adopt hands the request over to ch, a request channel for the same
// line: it writes the head the handler gave, and from then on what the
// handler writes goes to ch, and the request ends when ch closes. It
// returns false, and ch is the caller's to serve, when the request
// already ended unasked, after earlyWait.
func (e *early) adopt(ch *link.Responder) bool {
	e.mu.Lock()
	if e.taken || e.ended() {
		e.mu.Unlock()
		return false
	}
	e.taken = true
	e.ch = ch
	h, body := e.head, e.body
	e.head, e.body = nil, nil
	if !e.deadline.IsZero() {
		_ = ch.SetWriteDeadline(e.deadline)
	}
	var err error
	if h != nil {
		err = ch.WriteHead(h.status, h.head)
		if err == nil && len(body) > 0 {
			_, err = ch.Write(body)
		}
		if err == nil {
			err = ch.Flush()
		}
	}
	e.mu.Unlock()
	if err != nil {
		e.end()
		return true
	}
	go func() {
		select {
		case <-ch.Done():
			e.end()
		case <-e.finished:
		}
	}()
	return true
}

// channel returns the request channel that took the request over, or
// nil.
func (e *early) channel() *link.Responder {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.ch
}

// WriteHead keeps the head for the request channel to come, or sends
// it on the channel that took the request over.
func (e *early) WriteHead(st protocol.Status, h protocol.Head) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ch != nil {
		return e.ch.WriteHead(st, h)
	}
	e.head = &earlyHead{st, h}
	return nil
}

// earlyBodyMax bounds the body kept for the adopting channel: a track
// request writes none, a redirect a few hundred bytes.
const earlyBodyMax = 16 << 10

// errEarlyBody means the handler wrote more body than an early request
// keeps before a request channel takes it over.
var errEarlyBody = errors.New("p2p: an early request's body outgrew its buffer before a request channel took it over")

// Write sends body bytes on the adopting channel, or keeps them for it.
func (e *early) Write(p []byte) (int, error) {
	e.mu.Lock()
	if ch := e.ch; ch != nil {
		e.mu.Unlock()
		return ch.Write(p)
	}
	defer e.mu.Unlock()
	if len(e.body)+len(p) > earlyBodyMax {
		return 0, errEarlyBody
	}
	e.body = append(e.body, p...)
	return len(p), nil
}

func (e *early) Flush() error {
	if ch := e.channel(); ch != nil {
		return ch.Flush()
	}
	return nil
}

func (e *early) Backlog() int {
	if ch := e.channel(); ch != nil {
		return ch.Backlog()
	}
	return 0
}

func (e *early) SetWriteDeadline(t time.Time) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.deadline = t
	if e.ch != nil {
		return e.ch.SetWriteDeadline(t)
	}
	return nil
}

func (e *early) Tracks() *link.Tracks      { return e.tracks }
func (e *early) Done() <-chan struct{}     { return e.done }
func (e *early) Upload() io.Reader         { return eofReader{} }
func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

type eofReader struct{}
