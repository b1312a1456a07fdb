package relay

import (
	"errors"
	"testing"

	"github.com/p2pcam/p2pcam/media"
)

var streamNameCases = []struct {
	name   string
	device string
	q      media.Quality
	ok     bool
}{
	{"acme~cam1~high", "acme/cam1", media.QualityHigh, true},
	{"p2pcam~sim~standard", "p2pcam/sim", media.QualityStandard, true},
	{"acme~cam1", "", "", false},
	{"acme~cam1~ultra", "", "", false},
	{"acme~~high", "", "", false},
	{"a~b~c~high", "", "", false},
	{"", "", "", false},
}

func TestStreamName(t *testing.T) {
	for _, tc := range streamNameCases {
		t.Run(tc.name, func(t *testing.T) {
			dev, q, err := ParseStreamName(tc.name)
			if (err == nil) != tc.ok {
				t.Fatalf("ParseStreamName(%q) err = %v, want ok %v", tc.name, err, tc.ok)
			}
			if !tc.ok {
				if !errors.Is(err, ErrBadStream) {
					t.Fatalf("err = %v, want ErrBadStream", err)
				}
				return
			}
			if dev != tc.device || q != tc.q {
				t.Fatalf("= %q %q, want %q %q", dev, q, tc.device, tc.q)
			}
			if back := StreamName(dev, q); back != tc.name {
				t.Fatalf("StreamName = %q, want %q", back, tc.name)
			}
		})
	}
}

func FuzzParseStreamName(f *testing.F) {
	for _, tc := range streamNameCases {
		f.Add(tc.name)
	}
	f.Fuzz(func(t *testing.T, s string) {
		dev, q, err := ParseStreamName(s)
		if err == nil && StreamName(dev, q) != s {
			t.Fatalf("%q -> %q %q -> %q", s, dev, q, StreamName(dev, q))
		}
	})
}

func TestConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"zero: no relay", Config{}, true},
		{"full", Config{URL: "rtmp://relay:1935/live", StatURL: "http://relay/stat", HLSURL: "http://relay/hls/{stream}.m3u8"}, true},
		{"no stat", Config{URL: "rtmp://relay/live"}, false},
		{"not rtmp", Config{URL: "http://relay/live", StatURL: "http://relay/stat"}, false},
		{"no app", Config{URL: "rtmp://relay", StatURL: "http://relay/stat"}, false},
		{"query", Config{URL: "rtmp://relay/live?x=1", StatURL: "http://relay/stat"}, false},
		{"hls without stream", Config{URL: "rtmp://relay/live", StatURL: "http://relay/stat", HLSURL: "http://relay/hls/"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := tc.cfg.WithDefaults()
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v, want ok %v", err, tc.ok)
			}
			if err != nil && !errors.Is(err, ErrBadConfig) {
				t.Fatalf("err = %v, want ErrBadConfig", err)
			}
			if tc.ok && c.Enabled() && (c.PlayURL != c.URL || c.IdleTimeout != DefaultIdleTimeout || c.App() != "live") {
				t.Fatalf("defaults: %+v", c)
			}
		})
	}
	c, _ := Config{URL: "rtmp://relay/live", StatURL: "http://relay/stat", PublishKey: "k&1", HLSURL: "http://relay/hls/{stream}.m3u8"}.WithDefaults()
	if got := c.PublishURL("a~b~high"); got != "rtmp://relay/live/a~b~high?key=k%261" {
		t.Errorf("PublishURL = %q", got)
	}
	if got := c.HLSURLOf("a~b~high"); got != "http://relay/hls/a~b~high.m3u8" {
		t.Errorf("HLSURLOf = %q", got)
	}
}
