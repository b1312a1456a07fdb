package protocol

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// MaxRedirectSize bounds a redirect's JSON body: two URLs and a reason.
const MaxRedirectSize = 4 << 10

// Redirect is the body of a StatusRedirect answer to a live request: the
// camera serves its maximum of viewers and pushes the stream to a relay
// (docs/relay.md), where the viewer plays it instead:
//
//	{"status":"302","url":"rtmp://relay/live/acme~cam1~high","hls":"https://relay/hls/acme~cam1~high.m3u8","reason":"..."}
//
// URL carries the viewer's play ticket in its query (relay.Ticket), which
// the relay's on_play callback checks; a URL without a query (a camera
// with no relay secret) gets ?token=TOKEN, the viewer's own token. HLS,
// for browsers, is optional.
type Redirect struct {
	Status string `json:"status"`
	URL    string `json:"url"`
	HLS    string `json:"hls,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// ParseRedirect decodes and checks a redirect body: status "302", an
// rtmp:// URL, and an http(s) HLS URL if any.
func ParseRedirect(b []byte) (Redirect, error) {
	var r Redirect
	if len(b) > MaxRedirectSize {
		return r, fmt.Errorf("%w: %d bytes, at most %d", ErrBadRedirect, len(b), MaxRedirectSize)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return Redirect{}, fmt.Errorf("%w: %v", ErrBadRedirect, err)
	}
	if r.Status != "302" {
		return Redirect{}, fmt.Errorf("%w: status %q", ErrBadRedirect, r.Status)
	}
	u, err := url.Parse(r.URL)
	if err != nil || !strings.HasPrefix(r.URL, "rtmp://") || u.Host == "" || u.Fragment != "" || u.User != nil {
		return Redirect{}, fmt.Errorf("%w: url %q: want rtmp://HOST/APP/STREAM", ErrBadRedirect, r.URL)
	}
	if r.HLS != "" {
		h, err := url.Parse(r.HLS)
		if err != nil || (h.Scheme != "http" && h.Scheme != "https") || h.Host == "" {
			return Redirect{}, fmt.Errorf("%w: hls %q: want an http(s) URL", ErrBadRedirect, r.HLS)
		}
	}
	return r, nil
}
