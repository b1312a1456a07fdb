package relay

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"
)

// maxStatSize bounds the stat page read: nginx-rtmp writes about 400
// bytes per client, so 4 MiB holds some ten thousand.
const maxStatSize = 4 << 20

// statTimeout bounds one read of the stat page when ctx has no deadline.
const statTimeout = 5 * time.Second

// ParseStat returns the players (clients not publishing) of stream name
// in application app on an nginx-rtmp stat page (rtmp_stat all); 0 when
// the stream is not listed.
//
// It reads the page as nginx-rtmp writes it, not as general XML (which
// would cost p2pcamd encoding/xml, 48 kB on armv7):
// <application><name>APP</name><live><stream><name>NAME</name>
// ...<client>...<publishing/>...</client>...</stream></live></application>,
// each element's name first. nginx escapes the strings it writes, so a
// player cannot forge elements.
func ParseStat(b []byte, app, name string) (int, error) {
	root, ok := element(b, "rtmp")
	if !ok {
		return 0, fmt.Errorf("%w: no <rtmp> element", ErrBadStat)
	}
	n := 0
	for a := range elements(root, "application") {
		if firstName(a) != app {
			continue
		}
		for s := range elements(a, "stream") {
			if firstName(s) != name {
				continue
			}
			for c := range elements(s, "client") {
				if !bytes.Contains(c, []byte("<publishing/>")) {
					n++
				}
			}
		}
	}
	return n, nil
}

// element returns the content of the first <tag>...</tag> in b.
func element(b []byte, tag string) ([]byte, bool) {
	open, end := []byte("<"+tag+">"), []byte("</"+tag+">")
	i := bytes.Index(b, open)
	if i < 0 {
		return nil, false
	}
	b = b[i+len(open):]
	j := bytes.Index(b, end)
	if j < 0 {
		return nil, false
	}
	return b[:j], true
}

// elements yields the contents of the <tag>...</tag> elements in b, in
// order (not nested in each other, as nginx-rtmp writes them).
func elements(b []byte, tag string) func(yield func([]byte) bool) {
	return func(yield func([]byte) bool) {
		end := []byte("</" + tag + ">")
		for {
			e, ok := element(b, tag)
			if !ok || !yield(e) {
				return
			}
			b = b[bytes.Index(b, end)+len(end):]
		}
	}
}

// firstName returns the text of an element's first <name>, "" if none.
func firstName(b []byte) string {
	n, _ := element(b, "name")
	return string(n)
}

// Players reads the stat page at statURL (http://, not https: the
// camera reads it on the relay's network, and an HTTP client with TLS
// would cost p2pcamd 140 kB) and returns the players of stream name in
// app. It speaks HTTP/1.1 on one connection per read, closed after it.
func Players(ctx context.Context, statURL, app, name string) (int, error) {
	u, err := url.Parse(statURL)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return 0, fmt.Errorf("relay: stat page %q: want an http:// URL", statURL)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, statTimeout)
		defer cancel()
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "80")
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return 0, fmt.Errorf("relay: stat page: %w", err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, statURL, nil)
	if err != nil {
		return 0, fmt.Errorf("relay: stat page: %w", err)
	}
	req.Close = true
	if err := req.Write(conn); err != nil {
		return 0, fmt.Errorf("relay: stat page: %w", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		return 0, fmt.Errorf("relay: stat page: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("relay: stat page %s: %s", statURL, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxStatSize+1))
	if err != nil {
		return 0, fmt.Errorf("relay: stat page: %w", err)
	}
	if len(b) > maxStatSize {
		return 0, fmt.Errorf("%w: over %d bytes", ErrBadStat, maxStatSize)
	}
	return ParseStat(b, app, name)
}
