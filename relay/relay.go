// Package relay names a camera's streams on an RTMP relay (nginx with
// libnginx-mod-rtmp, docs/relay.md) and reads the relay's stat page to
// tell whether anyone still watches them.
//
// A camera publishes each quality once, as the stream
// PRODUCT~DEVICE~QUALITY, and sends the viewers over its limit to play it
// there. The relay's on_play callback (the dev cloud's, package cloud)
// takes the device from the stream name to check the viewer's token.
package relay

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/p2pcam/p2pcam/media"
	"github.com/p2pcam/p2pcam/mux/rtmp"
	"github.com/p2pcam/p2pcam/signal"
)

// Defaults of Config.
const (
	// DefaultIdleTimeout is how long a push runs on with nobody playing
	// it: long enough for a redirected viewer to reach the relay.
	DefaultIdleTimeout = 10 * time.Second
	// DefaultPollInterval is how often the camera reads the stat page.
	DefaultPollInterval = 2 * time.Second
)

// Config is a camera's [relay] section. The zero value has no relay: a
// viewer over the limit is refused (405).
type Config struct {
	// URL is the relay's RTMP application that the camera publishes to,
	// rtmp://HOST[:PORT]/APP. Empty: no relay.
	URL string `toml:"url"`
	// PlayURL is the same application as viewers reach it, when that
	// differs from URL (a public name, another port). It defaults to URL.
	PlayURL string `toml:"play_url"`
	// HLSURL is where browsers find a stream's HLS playlist, with
	// {stream} standing for the stream name, e.g.
	// "https://relay.example/hls/{stream}.m3u8". Empty: none.
	HLSURL string `toml:"hls_url"`
	// StatURL is the relay's stat page (nginx-rtmp's rtmp_stat), an
	// http:// URL (not https), which the camera reads every PollInterval
	// to count the players. Needed with URL.
	StatURL string `toml:"stat_url"`
	// Secret is this camera's relay secret (base64url; p2pcam cloud
	// relay-secret DEVICE prints it): it signs the play tickets of the
	// viewers sent to the relay, which the relay's on_play checks. Empty:
	// no ticket, and the viewers add their own token to the play URL
	// (nginx-rtmp cuts it at 255 bytes: docs/relay.md).
	Secret string `toml:"secret"`
	// PublishKey, when set, is sent as ?key=... on the publish URL, for
	// an on_publish callback to check.
	PublishKey string `toml:"publish_key"`
	// IdleTimeout stops a push that has had no player for this long. It
	// defaults to DefaultIdleTimeout.
	IdleTimeout time.Duration `toml:"idle_timeout"`
	// PollInterval is how often the stat page is read. It defaults to
	// DefaultPollInterval.
	PollInterval time.Duration `toml:"poll_interval"`
}

// Enabled reports whether a relay is configured.
func (c Config) Enabled() bool { return c.URL != "" }

// WithDefaults fills in the defaults and checks the URLs.
func (c Config) WithDefaults() (Config, error) {
	if c.IdleTimeout == 0 {
		c.IdleTimeout = DefaultIdleTimeout
	}
	if c.PollInterval == 0 {
		c.PollInterval = DefaultPollInterval
	}
	if !c.Enabled() {
		return c, nil
	}
	c.URL = strings.TrimSuffix(c.URL, "/")
	if c.PlayURL == "" {
		c.PlayURL = c.URL
	}
	c.PlayURL = strings.TrimSuffix(c.PlayURL, "/")
	for _, u := range []struct{ key, v string }{{"relay.url", c.URL}, {"relay.play_url", c.PlayURL}} {
		if _, err := rtmp.ParseURL(u.v + "/x"); err != nil || strings.ContainsAny(u.v, "?#") {
			return c, fmt.Errorf("%s = %q: %w", u.key, u.v, ErrBadConfig)
		}
	}
	if s, err := url.Parse(c.StatURL); err != nil || s.Scheme != "http" || s.Host == "" {
		return c, fmt.Errorf("relay.stat_url = %q: want the relay's http:// stat page (not https): %w", c.StatURL, ErrBadConfig)
	}
	if c.Secret != "" {
		if _, err := ParseSecret(c.Secret); err != nil {
			return c, err
		}
	}
	if c.HLSURL != "" && !strings.Contains(c.HLSURL, "{stream}") {
		return c, fmt.Errorf("relay.hls_url = %q: has no {stream}: %w", c.HLSURL, ErrBadConfig)
	}
	if c.IdleTimeout < 0 || c.PollInterval <= 0 {
		return c, fmt.Errorf("relay.idle_timeout and poll_interval must be positive: %w", ErrBadConfig)
	}
	return c, nil
}

// App returns the application name in URL (nginx's stat page lists
// streams under it).
func (c Config) App() string {
	t, _ := rtmp.ParseURL(c.URL + "/x")
	return t.App
}

// PublishURL returns where the camera publishes stream.
func (c Config) PublishURL(stream string) string {
	u := c.URL + "/" + stream
	if c.PublishKey != "" {
		u += "?key=" + url.QueryEscape(c.PublishKey)
	}
	return u
}

// PlayURLOf returns where viewers play stream (without their token).
func (c Config) PlayURLOf(stream string) string { return c.PlayURL + "/" + stream }

// HLSURLOf returns stream's HLS playlist URL, or "" without hls_url.
func (c Config) HLSURLOf(stream string) string {
	if c.HLSURL == "" {
		return ""
	}
	return strings.ReplaceAll(c.HLSURL, "{stream}", stream)
}

// nameSep separates the parts of a stream name; device ids never hold
// it (signal.ParseDeviceID).
const nameSep = "~"

// StreamName returns the relay stream of a device's quality.
func StreamName(device string, q media.Quality) string {
	return strings.ReplaceAll(device, "/", nameSep) + nameSep + string(q)
}

// ParseStreamName takes a stream name (from a relay callback) apart.
func ParseStreamName(name string) (device string, q media.Quality, err error) {
	parts := strings.Split(name, nameSep)
	if len(parts) != 3 {
		return "", "", fmt.Errorf("%w: %q: want PRODUCT~DEVICE~QUALITY", ErrBadStream, name)
	}
	device = parts[0] + "/" + parts[1]
	if _, err := signal.ParseDeviceID(device); err != nil {
		return "", "", fmt.Errorf("%w: %q: %v", ErrBadStream, name, err)
	}
	if q, err = media.ParseQuality(parts[2]); err != nil {
		return "", "", fmt.Errorf("%w: %q: %v", ErrBadStream, name, err)
	}
	return device, q, nil
}
