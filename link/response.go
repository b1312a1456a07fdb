package link

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/datachannel"
	"github.com/pion/sctp"
	"github.com/pion/webrtc/v4"

	"github.com/p2pcam/p2pcam/protocol"
)

// Response is a camera's answer to one request, read from its data
// channel.
type Response struct {
	Status protocol.Status
	Head   protocol.Head
	// Body streams the body until the camera closes the channel (io.EOF)
	// or the viewer closes Body. Reading slowly slows the camera down:
	// the channel's receive window fills.
	Body io.ReadCloser
	// Send writes to the camera on the same channel (talkback audio).
	Send io.Writer
}

// ReadResponse waits for dc, a request channel the caller has just
// created, to open, reads the head and returns the response.
func ReadResponse(ctx context.Context, dc *webrtc.DataChannel) (*Response, error) {
	opened := make(chan struct{})
	var once sync.Once
	dc.OnOpen(func() { once.Do(func() { close(opened) }) })
	select {
	case <-opened:
	case <-ctx.Done():
		_ = dc.Close()
		return nil, fmt.Errorf("link: waiting for the channel to open: %w", ctx.Err())
	}
	raw, err := dc.DetachWithDeadline()
	if err != nil {
		_ = dc.Close()
		return nil, fmt.Errorf("link: %w", err)
	}
	// Reading the head honours ctx. Closing the channel alone does not
	// unblock the read: an SCTP stream's reset completes only when the
	// camera resets its side too, which a silent camera never does.
	stop := context.AfterFunc(ctx, func() { _ = raw.SetReadDeadline(time.Now()) })
	head := make([]byte, maxMessage)
	n, isString, err := raw.ReadDataChannel(head)
	stop()
	switch {
	case ctx.Err() != nil:
		_ = raw.Close()
		return nil, fmt.Errorf("link: waiting for the answer: %w", ctx.Err())
	case err != nil:
		_ = raw.Close()
		return nil, errors.New("link: data channel closed before the camera answered")
	case !isString:
		_ = raw.Close()
		return nil, errors.New("link: camera answered without a head")
	}
	st, h, err := decodeHead(head[:n])
	if err != nil {
		_ = raw.Close()
		return nil, err
	}
	return &Response{Status: st, Head: h, Body: &channelBody{raw: raw, buf: head[:0]}, Send: raw}, nil
}

// ErrStreamEnded means the camera ended an answer's body other than by
// closing its channel: it closed or lost the session (it stopped or
// restarted, say). Its text is a sentence for the user, without the
// package prefix, since the viewer tools print it as it is.
var ErrStreamEnded = errors.New("the camera ended the stream")

// streamEnded tells why a body read failed when the camera aborted the
// session (an SCTP abort, "abort chunk, with following errors: user
// initiated abort", or the association already closed when the stream
// is reset: "sending reset packet in non-established state") in words a
// user follows; other errors (the connection closed under the read) it
// returns as they are.
func streamEnded(err error) error {
	switch {
	case errors.Is(err, sctp.ErrUserInitiatedAbort), errors.Is(err, sctp.ErrResetPacketInStateNotExist):
		return fmt.Errorf("%w: it closed the connection (it stopped or restarted)", ErrStreamEnded)
	case errors.Is(err, sctp.ErrChunk):
		return fmt.Errorf("%w: it aborted the connection (%v)", ErrStreamEnded, err)
	}
	return err
}

// channelBody reads the body message by message.
type channelBody struct {
	raw    datachannel.ReadWriteCloserDeadliner
	buf    []byte // the current message's unread part; its array holds maxMessage
	full   []byte
	closed atomic.Bool // by the viewer: a read error is then its own doing
}

func (b *channelBody) Read(p []byte) (int, error) {
	if len(b.buf) == 0 {
		if b.full == nil {
			b.full = make([]byte, maxMessage)
		}
		n, err := b.raw.Read(b.full)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return 0, io.EOF
			}
			if b.closed.Load() {
				return 0, err
			}
			return 0, streamEnded(err)
		}
		b.buf = b.full[:n]
	}
	n := copy(p, b.buf)
	b.buf = b.buf[n:]
	return n, nil
}

// Close closes the channel and ends a Read blocked on it (closing alone
// would wait for the camera to reset its side of the stream).
func (b *channelBody) Close() error {
	b.closed.Store(true)
	return closeNow(b.raw)
}
