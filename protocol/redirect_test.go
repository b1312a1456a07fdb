package protocol

import (
	"errors"
	"strings"
	"testing"
)

var redirectCases = []struct {
	name string
	body string
	ok   bool
}{
	{"rtmp", `{"status":"302","url":"rtmp://relay/live/a~b~high"}`, true},
	{"rtmp and hls", `{"status":"302","url":"rtmp://relay:1935/live/a~b~high","hls":"https://relay/hls/a~b~high.m3u8","reason":"too many viewers"}`, true},
	{"http url", `{"status":"302","url":"http://relay/live/x"}`, false},
	{"ticket", `{"status":"302","url":"rtmp://relay/live/x?exp=1&sig=s&sub=alice"}`, true},
	{"fragment", `{"status":"302","url":"rtmp://relay/live/x#f"}`, false},
	{"bad hls", `{"status":"302","url":"rtmp://relay/live/x","hls":"file:///etc/passwd"}`, false},
	{"wrong status", `{"status":"405","url":"rtmp://relay/live/x"}`, false},
	{"unknown field", `{"status":"302","url":"rtmp://relay/live/x","x":1}`, false},
	{"not json", `302`, false},
	{"too large", `{"status":"302","url":"rtmp://relay/live/` + strings.Repeat("x", MaxRedirectSize) + `"}`, false},
}

func TestParseRedirect(t *testing.T) {
	for _, tc := range redirectCases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParseRedirect([]byte(tc.body))
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v, want ok %v", err, tc.ok)
			}
			if err != nil && !errors.Is(err, ErrBadRedirect) {
				t.Fatalf("err = %v, want ErrBadRedirect", err)
			}
			if err == nil && !strings.HasPrefix(r.URL, "rtmp://") {
				t.Fatalf("url %q", r.URL)
			}
		})
	}
}

func FuzzParseRedirect(f *testing.F) {
	for _, tc := range redirectCases {
		f.Add([]byte(tc.body))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseRedirect(b)
		if err == nil && (r.Status != "302" || !strings.HasPrefix(r.URL, "rtmp://")) {
			t.Fatalf("accepted %+v", r)
		}
	})
}
