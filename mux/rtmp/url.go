package rtmp

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// DefaultPort is RTMP's TCP port.
const DefaultPort = "1935"

// Target is a parsed rtmp:// URL.
type Target struct {
	Addr  string // host:port to dial
	App   string // the application, the path's first segment
	TCURL string // rtmp://HOST[:PORT]/APP, sent in connect
	// Stream is the stream name with its query, as play and publish
	// send it: nginx-rtmp passes the query on to its callbacks.
	Stream string
}

// ParseURL parses rtmp://HOST[:PORT]/APP/NAME[?ARGS].
func ParseURL(s string) (Target, error) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "rtmp" || u.Host == "" || u.User != nil || u.Fragment != "" {
		return Target{}, fmt.Errorf("%w: %q", ErrBadURL, s)
	}
	app, name, ok := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	if !ok || app == "" || name == "" {
		return Target{}, fmt.Errorf("%w: %q has no APP/NAME path", ErrBadURL, s)
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), DefaultPort)
	}
	stream := name
	if u.RawQuery != "" {
		stream += "?" + u.RawQuery
	}
	return Target{Addr: addr, App: app, TCURL: "rtmp://" + u.Host + "/" + app, Stream: stream}, nil
}
