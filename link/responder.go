package link

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/p2pcam/p2pcam/agent/request"
)

// Data channel flow control. Messages are at most MessageSize bytes,
// which every WebRTC stack accepts. A writer blocks while more than
// highWater bytes wait in the channel, until they drain to lowWater.
const (
	MessageSize = 16 << 10
	highWater   = 1 << 20
	lowWater    = 256 << 10
)

// ErrChannelClosed means the viewer closed the request's data channel.
var ErrChannelClosed = errors.New("link: data channel closed")

// Responder answers one request on its data channel: the camera's
// agent.Responder for P2P viewers.
type Responder struct {
	dc      *webrtc.DataChannel
	pending []byte
	drained chan struct{} // signalled when the buffered amount falls to lowWater
	closed  chan struct{}

	mu       sync.Mutex // guards deadline
	deadline time.Time
}

// NewResponder returns a responder for an open data channel. It takes over
// the channel's buffered-amount-low and close callbacks.
func NewResponder(dc *webrtc.DataChannel) *Responder {
	r := &Responder{dc: dc, drained: make(chan struct{}, 1), closed: make(chan struct{})}
	dc.SetBufferedAmountLowThreshold(lowWater)
	dc.OnBufferedAmountLow(func() {
		select {
		case r.drained <- struct{}{}:
		default:
		}
	})
	var once sync.Once
	dc.OnClose(func() { once.Do(func() { close(r.closed) }) })
	return r
}

// Done is closed when the data channel closes.
func (r *Responder) Done() <-chan struct{} { return r.closed }

// WriteHead sends the head message.
func (r *Responder) WriteHead(st request.Status, h request.Head) error {
	if err := r.dc.SendText(string(encodeHead(st, h))); err != nil {
		return fmt.Errorf("link: send head: %w", err)
	}
	return nil
}

// Write queues body bytes, sending whole messages as they fill.
func (r *Responder) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		take := min(MessageSize-len(r.pending), len(p))
		r.pending = append(r.pending, p[:take]...)
		p = p[take:]
		if len(r.pending) == MessageSize {
			if err := r.send(); err != nil {
				return n - len(p), err
			}
		}
	}
	return n, nil
}

// Flush sends what is queued.
func (r *Responder) Flush() error {
	if len(r.pending) == 0 {
		return nil
	}
	return r.send()
}

// SetWriteDeadline bounds how long Write and Flush wait for the channel
// to drain.
func (r *Responder) SetWriteDeadline(t time.Time) error {
	r.mu.Lock()
	r.deadline = t
	r.mu.Unlock()
	return nil
}

// Backlog returns the bytes queued in the data channel, not yet acked.
func (r *Responder) Backlog() int { return int(r.dc.BufferedAmount()) }

// Close ends the body: the viewer sees its channel close.
func (r *Responder) Close() error { return r.dc.GracefulClose() }

func (r *Responder) send() error {
	if err := r.waitDrained(); err != nil {
		return err
	}
	err := r.dc.Send(r.pending)
	r.pending = r.pending[:0]
	if err != nil {
		select {
		case <-r.closed:
			return ErrChannelClosed
		default:
		}
		return fmt.Errorf("link: send: %w", err)
	}
	return nil
}

// waitDrained blocks while the channel holds more than highWater bytes.
func (r *Responder) waitDrained() error {
	for r.dc.BufferedAmount() > highWater {
		r.mu.Lock()
		deadline := r.deadline
		r.mu.Unlock()
		var timeout <-chan time.Time
		if !deadline.IsZero() {
			t := time.NewTimer(time.Until(deadline))
			defer t.Stop()
			timeout = t.C
		}
		select {
		case <-r.drained:
		case <-r.closed:
			return ErrChannelClosed
		case <-timeout:
			return fmt.Errorf("link: viewer took in nothing: %w", os.ErrDeadlineExceeded)
		}
	}
	return nil
}
