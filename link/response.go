package link

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/pion/webrtc/v4"

	"github.com/p2pcam/p2pcam/agent/request"
)

// Response is a camera's answer to one request, read from its data
// channel.
type Response struct {
	Status request.Status
	Head   request.Head
	// Body streams the body until the camera closes the channel (io.EOF)
	// or the viewer closes Body. Reading slowly slows the camera down:
	// the channel's receive window fills.
	Body io.ReadCloser
}

// ReadResponse waits for the head message on dc, which the caller has
// just created, and returns the response. It takes over dc's message,
// open and close callbacks.
func ReadResponse(ctx context.Context, dc *webrtc.DataChannel) (*Response, error) {
	pr, pw := io.Pipe()
	heads := make(chan []byte, 1)
	var once sync.Once
	gotHead := false
	dc.OnMessage(func(m webrtc.DataChannelMessage) {
		if !gotHead {
			gotHead = true
			if m.IsString {
				heads <- m.Data
			} else {
				heads <- nil
			}
			return
		}
		if _, err := pw.Write(m.Data); err != nil {
			once.Do(func() { _ = dc.Close() })
		}
	})
	closed := make(chan struct{})
	dc.OnClose(func() {
		pw.CloseWithError(io.EOF)
		close(closed)
	})
	select {
	case b := <-heads:
		if b == nil {
			_ = dc.Close()
			return nil, errors.New("link: camera answered without a head")
		}
		st, h, err := decodeHead(b)
		if err != nil {
			_ = dc.Close()
			return nil, err
		}
		return &Response{Status: st, Head: h, Body: &channelBody{pr: pr, dc: dc}}, nil
	case <-closed:
		return nil, errors.New("link: data channel closed before the camera answered")
	case <-ctx.Done():
		_ = dc.Close()
		return nil, fmt.Errorf("link: waiting for the answer: %w", ctx.Err())
	}
}

// channelBody reads the body and closes the channel when done.
type channelBody struct {
	pr *io.PipeReader
	dc *webrtc.DataChannel
}

func (b *channelBody) Read(p []byte) (int, error) { return b.pr.Read(p) }

func (b *channelBody) Close() error {
	_ = b.pr.Close()
	return b.dc.Close()
}
