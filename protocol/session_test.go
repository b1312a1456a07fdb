package protocol

import (
	"errors"
	"strings"
	"testing"
)

var sessionCases = []struct {
	in string
	ok bool
}{
	{"0123456789abcdef0123456789abcdef", true},
	{"0123456789ABCDEF0123456789ABCDEF", false},
	{"0123456789abcdef0123456789abcde", false},
	{"0123456789abcdef0123456789abcdef0", false},
	{"0123456789abcdef0123456789abcdeg", false},
	{"", false},
	{"../../../../../../../../etc/pass", false},
	{"0123456789abcdef\x000123456789abcde", false},
}

func TestParseSessionID(t *testing.T) {
	for _, c := range sessionCases {
		got, err := ParseSessionID(c.in)
		if c.ok != (err == nil) || (c.ok && got != c.in) {
			t.Errorf("ParseSessionID(%q) = %q, %v", c.in, got, err)
		}
		var perr *Error
		if err != nil && (!errors.As(err, &perr) || perr.Status != StatusBadRequest || !strings.Contains(err.Error(), SessionHeader)) {
			t.Errorf("ParseSessionID(%q): %v is not a 404 naming %s", c.in, err, SessionHeader)
		}
	}
	a, b := NewSessionID(), NewSessionID()
	if a == b {
		t.Error("two sessions with one id")
	}
	for _, id := range []string{a, b} {
		if _, err := ParseSessionID(id); err != nil {
			t.Errorf("NewSessionID() = %q: %v", id, err)
		}
	}
}

// FuzzParseSessionID: an accepted id is exactly 32 lowercase hex digits.
func FuzzParseSessionID(f *testing.F) {
	for _, c := range sessionCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseSessionID(s)
		if err != nil {
			return
		}
		if got != s || len(s) != 32 || strings.Trim(s, "0123456789abcdef") != "" {
			t.Fatalf("ParseSessionID(%q) = %q", s, got)
		}
	})
}
