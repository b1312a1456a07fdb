package protocol

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/auth"
)

// recordParamCases drive the parameter tests and the fuzz seeds: a
// query, and whether each parser accepts it.
var recordParamCases = []struct {
	query                    string
	timeRange, month, dl, ft bool
}{
	{"start_time=1765000000&end_time=1765003600&time=202612&file_name=ch0_20261206T094252.123Z_60000.flv&offset=1024&file_type=0", true, true, true, true},
	{"start_time=0&end_time=0&time=197001&file_name=x&type=0", true, true, true, true},
	{"start_time=4102444800&end_time=4102444800&time=209912", true, true, false, true},
	{"start_time=4102444801&end_time=4102444801", false, false, false, true},
	{"start_time=5&end_time=4", false, false, false, true},
	{"start_time=-1&end_time=4&time=-20201", false, false, false, true},
	{"start_time=+1&end_time=4&time=2026+1", false, false, false, true},
	{"start_time=1e9&end_time=2e9&time=202613", false, false, false, true},
	{"start_time=99999999999&end_time=1&time=206900&file_type=x", false, false, false, false},
	{"start_time=1&end_time=99999999999&time=206912&file_type=1000", false, true, false, false},
	{"end_time=5&time=196912", false, false, false, true},
	{"file_name=../etc/passwd", false, false, false, true},
	{"file_name=/etc/passwd", false, false, false, true},
	{"file_name=a%00b", false, false, false, true},
	{"file_name=a\\b", false, false, false, true},
	{"file_name=x&offset=-1", false, false, false, true},
	{"file_name=x&offset=1234567890123456", false, false, false, true},
	{"file_name=" + strings.Repeat("a", 129), false, false, false, true},
}

func TestRecordParams(t *testing.T) {
	for _, c := range recordParamCases {
		q, err := url.ParseQuery(c.query)
		if err != nil {
			t.Fatal(err)
		}
		check := func(what string, want bool, err error) {
			t.Helper()
			var perr *Error
			switch {
			case want && err != nil:
				t.Errorf("%s(%q): %v", what, c.query, err)
			case !want && (!errors.As(err, &perr) || perr.Status != StatusBadRequest):
				t.Errorf("%s(%q) = %v, want a 404 *Error", what, c.query, err)
			}
		}
		_, _, err = TimeRange(q)
		check("TimeRange", c.timeRange, err)
		_, _, err = Month(q)
		check("Month", c.month, err)
		_, _, err = Download(q)
		check("Download", c.dl, err)
		_, err = FileType(q, "file_type")
		check("FileType", c.ft, err)
	}
	for f, ok := range map[string]bool{"": true, "flv": true, "mp4": true, "MP4": false, "mkv": false} {
		if _, err := DownloadFormat(url.Values{"format": {f}}); (err == nil) != ok {
			t.Errorf("DownloadFormat(%q): %v", f, err)
		}
	}
	from, to, _ := TimeRange(url.Values{"start_time": {"1765000000"}, "end_time": {"1765003600"}})
	if !from.Equal(time.Unix(1765000000, 0)) || to.Sub(from) != time.Hour {
		t.Errorf("TimeRange = %v, %v", from, to)
	}
}

func TestRequestPermission(t *testing.T) {
	for line, want := range map[string]auth.Permission{
		"command?action=inner_define&cmd=get_record_index": auth.PermPlayback,
		"command?action=inner_define&cmd=get_month_record": auth.PermPlayback,
		"command?action=inner_define&cmd=get_file_list":    auth.PermPlayback,
		"command?action=inner_define&cmd=playback_speed":   auth.PermPlayback,
		"command?action=inner_define&cmd=get_device_st":    auth.PermCommand,
		"command?action=inner_define&cmd=events":           auth.PermLive,
		"command?action=inner_define&cmd=trigger_event":    auth.PermCommand,
		"ipc.flv?action=playback":                          auth.PermPlayback,
		"ipc.flv?action=download":                          auth.PermDownload,
		"ipc.flv?action=live":                              auth.PermLive,
	} {
		r, err := Parse(line)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Permission(); got != want {
			t.Errorf("%s needs %v, want %v", line, got, want)
		}
	}
}

// FuzzRecordParams: the parsers of record requests never panic, answer
// 404 for what they refuse, and accept only in-range values and names
// without a path.
func FuzzRecordParams(f *testing.F) {
	for _, c := range recordParamCases {
		f.Add(c.query)
	}
	for _, c := range seekCases {
		f.Add(c.query)
	}
	for _, c := range speedCases {
		f.Add(c.query)
	}
	f.Fuzz(func(t *testing.T, query string) {
		q, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		if from, to, err := TimeRange(q); err == nil && (to.Before(from) || from.Unix() < 0 || to.Unix() > MaxUnixTime) {
			t.Fatalf("TimeRange(%q) = %v, %v", query, from, to)
		}
		if y, m, err := Month(q); err == nil && (y < 1970 || y > 2099 || m < 1 || m > 12) {
			t.Fatalf("Month(%q) = %d %d", query, y, m)
		}
		if v, err := Speed(q); err == nil && v != 0.5 && v != 1 && v != 2 && v != 4 && v != 8 {
			t.Fatalf("Speed(%q) = %v", query, v)
		}
		if name, off, err := Download(q); err == nil && (strings.ContainsAny(name, "/\\\x00") || off < 0 || name == "") {
			t.Fatalf("Download(%q) = %q, %d", query, name, off)
		}
		for _, fn := range []func(url.Values) error{
			func(q url.Values) error { _, _, err := TimeRange(q); return err },
			func(q url.Values) error { _, _, err := Month(q); return err },
			func(q url.Values) error { _, _, err := Download(q); return err },
			func(q url.Values) error { _, err := Seek(q, time.Unix(1765000000, 0)); return err },
			func(q url.Values) error { _, err := Speed(q); return err },
		} {
			var perr *Error
			if err := fn(q); err != nil && (!errors.As(err, &perr) || perr.Status != StatusBadRequest) {
				t.Fatalf("%q: %v is not a 404 *Error", query, err)
			}
		}
	})
}

// seekCases are playback_seek's parameters, from a playback started at
// 1765000000; want is the unix ms sought, -1 for a refusal.
var seekCases = []struct {
	query string
	want  int64
}{
	{"time=1765000100", 1765000100000},
	{"progress=1500", 1765000001500},
	{"progress=0", 1765000000000},
	{"time=1765000100&progress=5", 1765000100000},
	{"progress=86400000", 1765086400000},
	{"progress=86400001", -1},
	{"progress=-5", -1},
	{"progress=1e3", -1},
	{"time=4102444801", -1},
	{"time=", -1},
	{"", -1},
}

func TestSeek(t *testing.T) {
	for _, c := range seekCases {
		q, _ := url.ParseQuery(c.query)
		got, err := Seek(q, time.Unix(1765000000, 0))
		var perr *Error
		switch {
		case c.want < 0 && (err == nil || !errors.As(err, &perr) || perr.Status != StatusBadRequest):
			t.Errorf("%q: %v, %v, want a 404", c.query, got, err)
		case c.want >= 0 && (err != nil || got.UnixMilli() != c.want):
			t.Errorf("%q: %v, %v, want %d ms", c.query, got.UnixMilli(), err, c.want)
		}
	}
}

// speedCases are playback_speed's parameters; want 0 is a refusal.
var speedCases = []struct {
	query string
	want  float64
}{
	{"speed=0.5", 0.5},
	{"speed=1", 1},
	{"speed=2", 2},
	{"speed=4", 4},
	{"speed=8", 8},
	{"speed=8&speed=3", 8},
	{"speed=3", 0},
	{"speed=16", 0},
	{"speed=0", 0},
	{"speed=-1", 0},
	{"speed=1.0", 0},
	{"speed=.5", 0},
	{"speed=0.25", 0},
	{"speed=NaN", 0},
	{"speed=", 0},
	{"", 0},
}

func TestSpeed(t *testing.T) {
	for _, c := range speedCases {
		q, _ := url.ParseQuery(c.query)
		got, err := Speed(q)
		var perr *Error
		switch {
		case c.want == 0 && (err == nil || !errors.As(err, &perr) || perr.Status != StatusBadRequest):
			t.Errorf("%q: %v, %v, want a 404", c.query, got, err)
		case c.want != 0 && (err != nil || got != c.want):
			t.Errorf("%q: %v, %v, want %v", c.query, got, err, c.want)
		}
	}
}
