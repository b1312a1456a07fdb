package ota

import (
	"errors"
	"strings"
	"testing"
)

const goodSHA = "9c2d000000000000000000000000000000000000000000000000000000000001"

var announcementCases = []struct {
	name string
	in   string
	err  error
}{
	{"ok", `{"product":"acme","version":"1.4.0","min_version":"1.2.0","url":"http://127.0.0.1:8088/ota/acme-1.4.0.p2pota","size":1234,"sha256":"` + goodSHA + `"}`, nil},
	{"https", `{"product":"acme","version":"1.4.0","min_version":"0.0.0","url":"https://cdn.example/b","size":1,"sha256":"` + goodSHA + `"}`, nil},
	{"unknown field", `{"product":"acme","version":"1.4.0","min_version":"1.2.0","url":"http://h/b","size":1,"sha256":"` + goodSHA + `","x":1}`, ErrMalformed},
	{"two objects", `{"product":"acme","version":"1.4.0","min_version":"1.2.0","url":"http://h/b","size":1,"sha256":"` + goodSHA + `"}{}`, ErrMalformed},
	{"bad product", `{"product":"ac/me","version":"1.4.0","min_version":"1.2.0","url":"http://h/b","size":1,"sha256":"` + goodSHA + `"}`, ErrMalformed},
	{"bad version", `{"product":"acme","version":"v1.4","min_version":"1.2.0","url":"http://h/b","size":1,"sha256":"` + goodSHA + `"}`, ErrBadVersion},
	{"floor above", `{"product":"acme","version":"1.4.0","min_version":"1.5.0","url":"http://h/b","size":1,"sha256":"` + goodSHA + `"}`, ErrMalformed},
	{"file url", `{"product":"acme","version":"1.4.0","min_version":"1.2.0","url":"file:///etc/shadow","size":1,"sha256":"` + goodSHA + `"}`, ErrMalformed},
	{"no host", `{"product":"acme","version":"1.4.0","min_version":"1.2.0","url":"http:///b","size":1,"sha256":"` + goodSHA + `"}`, ErrMalformed},
	{"zero size", `{"product":"acme","version":"1.4.0","min_version":"1.2.0","url":"http://h/b","size":0,"sha256":"` + goodSHA + `"}`, ErrTooLarge},
	{"huge size", `{"product":"acme","version":"1.4.0","min_version":"1.2.0","url":"http://h/b","size":99999999999,"sha256":"` + goodSHA + `"}`, ErrTooLarge},
	{"upper-case hash", `{"product":"acme","version":"1.4.0","min_version":"1.2.0","url":"http://h/b","size":1,"sha256":"` + strings.ToUpper(goodSHA) + `"}`, ErrMalformed},
	{"short hash", `{"product":"acme","version":"1.4.0","min_version":"1.2.0","url":"http://h/b","size":1,"sha256":"9c2d"}`, ErrMalformed},
	{"not json", `release 1.4.0`, ErrMalformed},
	{"too long", `{"product":"` + strings.Repeat("a", MaxAnnouncementSize) + `"}`, ErrTooLarge},
}

func TestParseAnnouncement(t *testing.T) {
	for _, tc := range announcementCases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParseAnnouncement([]byte(tc.in))
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			b, err := r.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			if r2, err := ParseAnnouncement(b); err != nil || *r2 != *r {
				t.Fatalf("round trip: %+v, %v", r2, err)
			}
		})
	}
}

func TestAnnouncementWanted(t *testing.T) {
	r := &Announcement{Version: "1.4.0", MinVersion: "1.2.0"}
	for _, tc := range []struct {
		cur  string
		want error
	}{
		{"1.3.9", nil}, {"1.2.0", nil}, {"1.4.0", ErrDowngrade}, {"2.0.0", ErrDowngrade}, {"1.1.9", ErrBelowFloor},
	} {
		cur, _ := ParseVersion(tc.cur)
		if err := r.Wanted(cur); !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
			t.Errorf("running %s: %v, want %v", tc.cur, err, tc.want)
		}
	}
}

func FuzzParseAnnouncement(f *testing.F) {
	for _, tc := range announcementCases {
		f.Add([]byte(tc.in))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseAnnouncement(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooLarge) && !errors.Is(err, ErrBadVersion) {
				t.Fatalf("error %v wraps no sentinel", err)
			}
			return
		}
		out, err := r.Marshal()
		if err != nil {
			t.Fatalf("a parsed release does not marshal: %v", err)
		}
		if r2, err := ParseAnnouncement(out); err != nil || *r2 != *r {
			t.Fatalf("round trip: %+v, %v", r2, err)
		}
	})
}
