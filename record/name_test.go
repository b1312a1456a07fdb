package record

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var nameCases = []struct {
	name string
	ok   bool
	want Name
}{
	{"ch0_20261206T094252.123Z.flv", true, Name{Start: time.Date(2026, 12, 6, 9, 42, 52, 123e6, time.UTC)}},
	{"ch0_20261206T094252.123Z_60000.flv", true, Name{Start: time.Date(2026, 12, 6, 9, 42, 52, 123e6, time.UTC), Duration: time.Minute}},
	{"ch255_19700101T000001.000Z_1.flv", true, Name{Channel: 255, Start: time.Unix(1, 0).UTC(), Duration: time.Millisecond}},
	{"ch0_20261206T094252.123Z_8000_t1.flv", true, Name{Start: time.Date(2026, 12, 6, 9, 42, 52, 123e6, time.UTC), Duration: 8 * time.Second, Type: 1}},
	{"ch3_20261206T094252.123Z_t255.flv", true, Name{Channel: 3, Start: time.Date(2026, 12, 6, 9, 42, 52, 123e6, time.UTC), Type: 255}},
	{"ch0_20261206T094252.123Z_8000_t0.flv", false, Name{}},
	{"ch0_20261206T094252.123Z_8000_t01.flv", false, Name{}},
	{"ch0_20261206T094252.123Z_8000_t256.flv", false, Name{}},
	{"ch0_20261206T094252.123Z_8000_t.flv", false, Name{}},
	{"ch0_20261206T094252.123Z_t1_8000.flv", false, Name{}},
	{"ch0_20261206T094252.123Z_8000_t1_t1.flv", false, Name{}},
	{"ch0_t1.flv", false, Name{}},
	{"", false, Name{}},
	{"ch0_20261206T094252.123Z", false, Name{}},
	{"ch0_20261206T094252.123Z.mp4", false, Name{}},
	{"../ch0_20261206T094252.123Z.flv", false, Name{}},
	{"/etc/passwd", false, Name{}},
	{"ch0_20261206T094252.123Z.flv/..", false, Name{}},
	{"sub/ch0_20261206T094252.123Z.flv", false, Name{}},
	{"ch0_20261206T094252.123Z.flv\x00", false, Name{}},
	{"ch0\x00_20261206T094252.123Z.flv", false, Name{}},
	{"ch00_20261206T094252.123Z.flv", false, Name{}},
	{"ch+0_20261206T094252.123Z.flv", false, Name{}},
	{"ch256_20261206T094252.123Z.flv", false, Name{}},
	{"ch-1_20261206T094252.123Z.flv", false, Name{}},
	{"ch0_20261306T094252.123Z.flv", false, Name{}},
	{"ch0_20261206T094252Z.flv", false, Name{}},
	{"ch0_20261206T094252.123Z_0.flv", false, Name{}},
	{"ch0_20261206T094252.123Z_060000.flv", false, Name{}},
	{"ch0_20261206T094252.123Z_-5.flv", false, Name{}},
	{"ch0_20261206T094252.123Z_3600001.flv", false, Name{}},
	{"ch0_20261206T094252.123Z_1_2.flv", false, Name{}},
	{"ch0_20261206T094252.123Z" + strings.Repeat("_1", 40) + ".flv", false, Name{}},
}

func TestParseName(t *testing.T) {
	for _, c := range nameCases {
		got, err := ParseName(c.name)
		if !c.ok {
			if !errors.Is(err, ErrBadName) {
				t.Errorf("ParseName(%q) = %+v, %v; want ErrBadName", c.name, got, err)
			}
			continue
		}
		if err != nil || got.Channel != c.want.Channel || !got.Start.Equal(c.want.Start) || got.Duration != c.want.Duration || got.Type != c.want.Type {
			t.Errorf("ParseName(%q) = %+v, %v; want %+v", c.name, got, err, c.want)
		}
		if got.String() != c.name {
			t.Errorf("ParseName(%q).String() = %q", c.name, got.String())
		}
	}
}

// FuzzParseName checks that a name ParseName accepts is one the recorder
// writes: canonical, and with no path in it.
func FuzzParseName(f *testing.F) {
	for _, c := range nameCases {
		f.Add(c.name)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseName(s)
		if err != nil {
			if !errors.Is(err, ErrBadName) {
				t.Fatalf("error %v does not wrap ErrBadName", err)
			}
			return
		}
		if n.String() != s || strings.ContainsAny(s, "/\\\x00") || strings.Contains(s, "..") {
			t.Fatalf("accepted %q (%q)", s, n.String())
		}
	})
}
