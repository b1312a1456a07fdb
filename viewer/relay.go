package viewer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/p2pcam/p2pcam/link"
	"github.com/p2pcam/p2pcam/media"
	"github.com/p2pcam/p2pcam/mux/rtmp"
	"github.com/p2pcam/p2pcam/protocol"
)

// ErrRelay is a redirect that could not be followed: a bad redirect
// body, or a relay that refused the play (a token it does not take).
var ErrRelay = errors.New("viewer: the camera's relay")

// LiveResponse asks r for channel ch's live stream at quality q and
// follows a redirect to the camera's relay (FollowRelay) with token; it
// returns the response, whatever its status.
func LiveResponse(ctx context.Context, r Requester, ch int, q media.Quality, token string) (*link.Response, error) {
	resp, err := r.Request(ctx, LiveLine(ch, q))
	if err != nil {
		return nil, err
	}
	return FollowRelay(ctx, resp, token)
}

// FollowRelay plays where a redirect sends the viewer: when resp is a
// 302 (the camera serves its maximum of viewers and pushes the stream to
// its relay, docs/relay.md), it reads the protocol.Redirect, plays the
// relay's stream over RTMP with the ticket the camera put in its URL (or
// ?token=token when there is none; the relay's on_play checks it) and
// returns a response whose body is that stream as FLV, with
// Head.Location the relay URL. Any other resp is returned as it is. The
// play is set up before it returns, so a refusal is its error (ErrRelay).
func FollowRelay(ctx context.Context, resp *link.Response, token string) (*link.Response, error) {
	if resp.Status != protocol.StatusRedirect {
		return resp, nil
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, protocol.MaxRedirectSize+1))
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("%w: reading the redirect: %v", ErrRelay, err)
	}
	red, err := protocol.ParseRedirect(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrRelay, err)
	}
	playURL := red.URL
	if token != "" && !strings.Contains(playURL, "?") { // else the camera's ticket is there
		playURL += "?token=" + url.QueryEscape(token)
	}
	conn, err := rtmp.Play(ctx, playURL)
	if err != nil {
		return nil, fmt.Errorf("%w %s: %v", ErrRelay, stripQuery(red.URL), err)
	}
	pr, pw := io.Pipe()
	go func() {
		_, err := rtmp.CopyFLV(pw, conn)
		conn.Close()
		pw.CloseWithError(err)
	}()
	body := &relayBody{PipeReader: pr, conn: conn}
	return &link.Response{Status: protocol.StatusOK, Head: protocol.Head{ContentType: "video/x-flv", Location: stripQuery(red.URL)}, Body: body}, nil
}

// relayBody is a relay stream's FLV; closing it ends the play.
type relayBody struct {
	*io.PipeReader
	conn *rtmp.Conn
}

func (b *relayBody) Close() error {
	b.conn.Close()
	return b.PipeReader.Close()
}

// Token returns the token the connection authenticates with (for
// FollowRelay).
func (c *Conn) Token() string { return c.cfg.Token }

// stripQuery drops a URL's query (a ticket), for messages and logs.
func stripQuery(u string) string {
	s, _, _ := strings.Cut(u, "?")
	return s
}
