package link

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/pion/datachannel"
	"github.com/pion/webrtc/v4"

	"github.com/p2pcam/p2pcam/protocol"
)

// Data channel flow control. Messages are at most MessageSize bytes,
// which every WebRTC stack accepts. A writer blocks while more than
// highWater bytes wait in the channel, until they drain to lowWater.
const (
	MessageSize = 16 << 10
	highWater   = 256 << 10 // a second of a 2 Mbps stream
	lowWater    = 64 << 10
	// maxMessage is the largest message a reader accepts.
	maxMessage = 64 << 10
	// uploadQueue bounds the messages a viewer may send ahead of a
	// handler that reads them (talkback); beyond it they are dropped.
	uploadQueue = 64
)

// ErrChannelClosed means the viewer closed the request's data channel.
var ErrChannelClosed = errors.New("link: data channel closed")

// Responder answers one request on its data channel: the camera's
// agent.Responder for P2P viewers. It also reads what the viewer sends on
// the channel (Upload), and notices when the viewer closes it (Done).
type Responder struct {
	dc      *webrtc.DataChannel
	raw     datachannel.ReadWriteCloserDeadliner
	pending []byte
	drained chan struct{} // signalled when the buffered amount falls to lowWater
	closed  chan struct{} // closed when the viewer closes the channel
	upload  chan []byte
	rest    []byte // unread part of the current upload message
	tracks  *Tracks

	mu       sync.Mutex // guards deadline
	deadline time.Time
}

// Serve calls handle with a responder for each request channel the viewer
// opens, once it is open, in a goroutine of its own.
func Serve(dc *webrtc.DataChannel, handle func(*Responder)) { ServeSession(dc, nil, handle) }

// ServeSession is Serve for a session with media tracks (nil when it has
// none): its requests can feed them (Responder.Tracks).
func ServeSession(dc *webrtc.DataChannel, tracks *Tracks, handle func(*Responder)) {
	dc.OnOpen(func() {
		raw, err := dc.DetachWithDeadline()
		if err != nil {
			_ = dc.Close()
			return
		}
		r := &Responder{
			dc: dc, raw: raw,
			drained: make(chan struct{}, 1), closed: make(chan struct{}),
			upload: make(chan []byte, uploadQueue), tracks: tracks,
		}
		dc.SetBufferedAmountLowThreshold(lowWater)
		dc.OnBufferedAmountLow(func() {
			select {
			case r.drained <- struct{}{}:
			default:
			}
		})
		go r.readLoop()
		go handle(r)
	})
}

// readLoop takes in what the viewer sends until it closes the channel.
func (r *Responder) readLoop() {
	defer close(r.closed)
	defer close(r.upload)
	buf := make([]byte, maxMessage)
	for {
		n, err := r.raw.Read(buf)
		if err != nil {
			return
		}
		select {
		case r.upload <- append([]byte(nil), buf[:n]...):
		default: // the handler does not read: drop
		}
	}
}

// Tracks returns the media tracks of the request's session, or nil when
// the viewer's offer had no media sections.
func (r *Responder) Tracks() *Tracks { return r.tracks }

// Done is closed when the viewer closes the channel.
func (r *Responder) Done() <-chan struct{} { return r.closed }

// Upload returns what the viewer sends on the channel (talkback audio).
func (r *Responder) Upload() io.Reader { return r }

// Read reads what the viewer sends on the channel, until it closes it.
func (r *Responder) Read(p []byte) (int, error) {
	for len(r.rest) == 0 {
		m, ok := <-r.upload
		if !ok {
			return 0, io.EOF
		}
		r.rest = m
	}
	n := copy(p, r.rest)
	r.rest = r.rest[n:]
	return n, nil
}

// WriteHead sends the head message.
func (r *Responder) WriteHead(st protocol.Status, h protocol.Head) error {
	if _, err := r.raw.WriteDataChannel(encodeHead(st, h), true); err != nil {
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

// closeDrainLimit bounds how long Close waits for sent data to be acked.
const closeDrainLimit = 5 * time.Second

// Close ends the body: the viewer sees its channel close. It first waits
// for what was sent to reach the viewer (up to the write deadline, or 5 s),
// since closing a channel discards what it still holds.
func (r *Responder) Close() error {
	r.mu.Lock()
	limit := r.deadline
	r.mu.Unlock()
	if limit.IsZero() || time.Until(limit) > closeDrainLimit {
		limit = time.Now().Add(closeDrainLimit)
	}
	for r.dc.BufferedAmount() > 0 && time.Now().Before(limit) {
		select {
		case <-r.closed:
			return nil
		case <-time.After(10 * time.Millisecond):
		}
	}
	// Stop the read loop now: a viewer that never resets its side of the
	// stream would otherwise hold it (and its buffer) until the session ends.
	return closeNow(r.raw)
}

// closeNow closes a detached channel and ends a read blocked on it at
// once. Close alone only starts the SCTP stream's reset, and a read waits
// for the peer to reset its side too, which a silent or hostile peer
// never does.
func closeNow(raw datachannel.ReadWriteCloserDeadliner) error {
	_ = raw.SetReadDeadline(time.Now())
	return raw.Close()
}

func (r *Responder) send() error {
	if err := r.waitDrained(); err != nil {
		return err
	}
	_, err := r.raw.Write(r.pending)
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

// drainPoll rechecks the buffered amount in case a low-water callback
// was missed.
const drainPoll = 20 * time.Millisecond

// waitDrained blocks while the channel holds more than highWater bytes.
func (r *Responder) waitDrained() error {
	for r.dc.BufferedAmount() > highWater {
		r.mu.Lock()
		deadline := r.deadline
		r.mu.Unlock()
		var timeout <-chan time.Time
		if !deadline.IsZero() {
			timeout = time.After(time.Until(deadline))
		}
		select {
		case <-r.drained:
		case <-time.After(drainPoll):
		case <-r.closed:
			return ErrChannelClosed
		case <-timeout:
			return fmt.Errorf("link: viewer took in nothing: %w", os.ErrDeadlineExceeded)
		}
	}
	return nil
}
