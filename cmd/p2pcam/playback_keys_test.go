package main

import (
	"bytes"
	"reflect"
	"testing"
)

var keyCases = []struct {
	name string
	in   string
	want []keyAction
	rest string
}{
	{"space", " ", []keyAction{{kind: keyPause}}, ""},
	{"arrows", "\x1b[C\x1b[D", []keyAction{{kind: keySeek, seek: playbackSeekStep}, {kind: keySeek, seek: -playbackSeekStep}}, ""},
	{"application arrows", "\x1bOC", []keyAction{{kind: keySeek, seek: playbackSeekStep}}, ""},
	{"speeds", "15", []keyAction{{kind: keySpeed, speed: 0.5}, {kind: keySpeed, speed: 8}}, ""},
	{"quit", "q", []keyAction{{kind: keyQuit}}, ""},
	{"ctrl-c", "\x03", []keyAction{{kind: keyQuit}}, ""},
	{"other keys ignored", "xz06\x1b[A\x1b[B", nil, ""},
	{"cut escape", " \x1b[", []keyAction{{kind: keyPause}}, "\x1b["},
	{"lone escape", "\x1b", nil, "\x1b"},
	{"escape then a key", "\x1bx ", []keyAction{{kind: keyPause}}, ""},
}

func TestParseKeys(t *testing.T) {
	for _, c := range keyCases {
		t.Run(c.name, func(t *testing.T) {
			acts, rest := parseKeys([]byte(c.in))
			if !reflect.DeepEqual(acts, c.want) || string(rest) != c.rest {
				t.Errorf("parseKeys(%q) = %+v, %q; want %+v, %q", c.in, acts, rest, c.want, c.rest)
			}
		})
	}
	// A sequence split anywhere gives the same keys.
	in := []byte("\x1b[C 3\x1b[Dq")
	whole, _ := parseKeys(in)
	for i := range in {
		a, rest := parseKeys(in[:i])
		b, _ := parseKeys(append(rest, in[i:]...))
		if got := append(a, b...); !reflect.DeepEqual(got, whole) {
			t.Errorf("split at %d: %+v, want %+v", i, got, whole)
		}
	}
}

// FuzzParseKeys: any bytes give valid actions, and what is left is a
// short suffix of the input that starts an escape sequence.
func FuzzParseKeys(f *testing.F) {
	for _, c := range keyCases {
		f.Add([]byte(c.in))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		acts, rest := parseKeys(b)
		if len(rest) > 2 || !bytes.HasSuffix(b, rest) || (len(rest) > 0 && rest[0] != 0x1b) {
			t.Fatalf("parseKeys(%q) left %q", b, rest)
		}
		for _, a := range acts {
			if a.kind < keyPause || a.kind > keyQuit || (a.kind == keySpeed && a.speed == 0) || (a.kind == keySeek && a.seek == 0) {
				t.Fatalf("parseKeys(%q): bad action %+v", b, a)
			}
		}
	})
}
