package slot

import (
	"errors"
	"testing"
)

// stateCases drive TestParseState and seed FuzzParseState.
var stateCases = []struct {
	name, json string
	ok         bool
}{
	{"factory", `{"format":1,"current":""}`, true},
	{"confirmed", `{"format":1,"current":"a","slots":{"a":{"version":"1.0.0","sha256":"ab"}},"floor":"0.9.0"}`, true},
	{"on trial", `{"format":1,"current":"b","slots":{"a":{"version":"1.0.0","sha256":"ab"},"b":{"version":"1.1.0","sha256":"cd"}},"trial":{"slot":"b","version":"1.1.0","previous":"a","boots":2}}`, true},
	{"later fields are ignored", `{"format":1,"current":"","future":true}`, true},
	{"empty", ``, false},
	{"truncated", `{"format":1,"current":"a"`, false},
	{"format 2", `{"format":2}`, false},
	{"bad slot", `{"format":1,"current":"c","slots":{"c":{"version":"1.0.0"}}}`, false},
	{"current holds nothing", `{"format":1,"current":"a"}`, false},
	{"bad slot version", `{"format":1,"current":"a","slots":{"a":{"version":"dev"}}}`, false},
	{"trial of another slot", `{"format":1,"current":"a","slots":{"a":{"version":"1.0.0"}},"trial":{"slot":"b","version":"1.1.0"}}`, false},
	{"trial rolls back to itself", `{"format":1,"current":"a","slots":{"a":{"version":"1.0.0"}},"trial":{"slot":"a","previous":"a"}}`, false},
	{"previous holds nothing", `{"format":1,"current":"a","slots":{"a":{"version":"1.0.0"}},"trial":{"slot":"a","previous":"b"}}`, false},
	{"negative boots", `{"format":1,"current":"a","slots":{"a":{"version":"1.0.0"}},"trial":{"slot":"a","boots":-1}}`, false},
	{"bad floor", `{"format":1,"floor":"v1"}`, false},
	{"two objects", `{"format":1}{"format":1}`, false},
}

func TestParseState(t *testing.T) {
	for _, c := range stateCases {
		t.Run(c.name, func(t *testing.T) {
			st, err := ParseState([]byte(c.json))
			if c.ok != (err == nil) {
				t.Fatalf("ParseState = %+v, %v; want ok=%v", st, err, c.ok)
			}
			if err != nil && !errors.Is(err, ErrBadState) {
				t.Fatalf("error %v does not wrap ErrBadState", err)
			}
		})
	}
}

// FuzzParseState: any bytes give a state that checks out and survives a
// round trip, or ErrBadState; never a panic.
func FuzzParseState(f *testing.F) {
	for _, c := range stateCases {
		f.Add([]byte(c.json))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := ParseState(b)
		if err != nil {
			if !errors.Is(err, ErrBadState) {
				t.Fatalf("error %v does not wrap ErrBadState", err)
			}
			return
		}
		out, err := st.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseState(out); err != nil {
			t.Fatalf("round trip: %v\n%s", err, out)
		}
	})
}
