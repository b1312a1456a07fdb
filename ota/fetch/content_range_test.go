package fetch

import (
	"errors"
	"testing"
)

var contentRangeCases = []struct {
	in   string
	want ContentRange
	err  bool
}{
	{in: "bytes 0-99/100", want: ContentRange{0, 99, 100}},
	{in: "bytes 100-199/*", want: ContentRange{100, 199, -1}},
	{in: "bytes 5-5/6", want: ContentRange{5, 5, 6}},
	{in: "", err: true},
	{in: "bytes */100", err: true},
	{in: "bytes 0-99/99", err: true},
	{in: "bytes 10-9/100", err: true},
	{in: "bytes -1-5/10", err: true},
	{in: "bytes 0-5", err: true},
	{in: "items 0-5/10", err: true},
	{in: "bytes 0-5/+10", err: true},
	{in: "bytes 0-9999999999999999999/*", err: true},
	{in: "bytes 0x1-2/10", err: true},
}

func TestParseContentRange(t *testing.T) {
	for _, tc := range contentRangeCases {
		got, err := ParseContentRange(tc.in)
		if tc.err {
			if !errors.Is(err, ErrBadRange) {
				t.Errorf("%q: err %v, want ErrBadRange", tc.in, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%q: %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

func FuzzParseContentRange(f *testing.F) {
	for _, tc := range contentRangeCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseContentRange(s)
		if err != nil {
			if !errors.Is(err, ErrBadRange) {
				t.Fatalf("error %v does not wrap ErrBadRange", err)
			}
			return
		}
		if r.First < 0 || r.Last < r.First || (r.Size != -1 && r.Last >= r.Size) {
			t.Fatalf("%q parsed to an impossible range %+v", s, r)
		}
	})
}
