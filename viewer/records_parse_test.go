package viewer

import (
	"testing"
	"time"
)

// listingCases are answers to the record commands, good and bad: they
// drive the parse test and seed the fuzz test.
var listingCases = []struct {
	name, body string
	spans      int // -1: ParseRecordIndex fails
	files      int // -1: ParseFileList fails
	mask       int64
}{
	{"index", `{"video_list":[{"type":0,"start_time":"1765000000","end_time":"1765000060"}]}`, 1, 0, -1},
	{"files", `{"file_list":[{"file_name":"ch0_20261206T094252.123Z_60000.flv","file_type":"0","start_time":"1765000000","end_time":"1765000060","file_size":"1500000"}]}`, 0, 1, -1},
	{"month", `{"video_list":"8320"}`, -1, 0, 8320},
	{"month all days", `{"video_list":"2147483647"}`, -1, 0, 2147483647},
	{"month too big", `{"video_list":"4294967296"}`, -1, 0, -1},
	{"month day 32", `{"video_list":"2147483648"}`, -1, 0, -1},
	{"empty", `{}`, 0, 0, -1},
	{"not json", `status 404`, -1, -1, -1},
	{"bad time", `{"video_list":[{"type":0,"start_time":"soon","end_time":"1765000060"}]}`, -1, 0, -1},
	{"time past 2100", `{"video_list":[{"type":0,"start_time":"9999999999","end_time":"1765000060"}]}`, -1, 0, -1},
	{"negative size", `{"file_list":[{"file_name":"x","file_type":"0","start_time":"1","end_time":"2","file_size":"-5"}]}`, 0, -1, -1},
	{"playback state", `{"status":"0","progress":"1500","time":"1765000001","paused":true}`, 0, 0, -1},
	{"size not a number", `{"file_list":[{"file_name":"x","file_type":"0","start_time":"1","end_time":"2","file_size":"1e9"}]}`, 0, -1, -1},
}

func TestParseListings(t *testing.T) {
	for _, c := range listingCases {
		t.Run(c.name, func(t *testing.T) {
			spans, err := ParseRecordIndex([]byte(c.body))
			if got := count(len(spans), err); got != c.spans {
				t.Errorf("ParseRecordIndex: %d spans (%v), want %d", got, err, c.spans)
			}
			files, err := ParseFileList([]byte(c.body))
			if got := count(len(files), err); got != c.files {
				t.Errorf("ParseFileList: %d files (%v), want %d", got, err, c.files)
			}
			mask, err := ParseMonthRecord([]byte(c.body))
			if got := int64(mask); err != nil && c.mask != -1 || err == nil && got != c.mask {
				t.Errorf("ParseMonthRecord: %d (%v), want %d", mask, err, c.mask)
			}
		})
	}
	if st, err := ParsePlaybackState([]byte(`{"status":"0","progress":"1500","time":"1765000001","paused":true}`)); err != nil ||
		st != (PlaybackState{Progress: 1500 * time.Millisecond, At: time.Unix(1765000001, 0), Paused: true, Speed: 1}) {
		t.Errorf("ParsePlaybackState: %+v %v", st, err)
	}
	if st, err := ParsePlaybackState([]byte(`{"status":"0","progress":"0","time":"1","paused":false,"speed":"0.5"}`)); err != nil || st.Speed != 0.5 {
		t.Errorf("ParsePlaybackState with speed: %+v %v", st, err)
	}
	for _, bad := range []string{`{}`, `{"progress":"x","time":"1"}`, `{"progress":"1","time":"-1"}`,
		`{"progress":"1","time":"1","speed":"NaN"}`, `{"progress":"1","time":"1","speed":"16"}`, `{"progress":"1","time":"1","speed":"x"}`} {
		if st, err := ParsePlaybackState([]byte(bad)); err == nil {
			t.Errorf("ParsePlaybackState(%s) = %+v", bad, st)
		}
	}
	f, _ := ParseFileList([]byte(listingCases[1].body))
	if want := (RecordFile{Name: "ch0_20261206T094252.123Z_60000.flv", Start: time.Unix(1765000000, 0), End: time.Unix(1765000060, 0), Size: 1500000}); f[0] != want {
		t.Errorf("file %+v, want %+v", f[0], want)
	}
}

func count(n int, err error) int {
	if err != nil {
		return -1
	}
	return n
}

// FuzzParseListings feeds the listing decoders arbitrary answers: an
// error or a value, never a panic, and no time past MaxUnixTime.
func FuzzParseListings(f *testing.F) {
	for _, c := range listingCases {
		f.Add(c.body)
	}
	f.Add(`{"status":"0","progress":"0","time":"1","paused":false,"speed":"0.5"}`)
	f.Fuzz(func(t *testing.T, body string) {
		limit := time.Unix(4102444800, 0)
		spans, _ := ParseRecordIndex([]byte(body))
		for _, s := range spans {
			if s.Start.After(limit) || s.End.After(limit) {
				t.Fatalf("span %+v", s)
			}
		}
		files, _ := ParseFileList([]byte(body))
		for _, fl := range files {
			if fl.Size < 0 || fl.Start.After(limit) {
				t.Fatalf("file %+v", fl)
			}
		}
		if st, err := ParsePlaybackState([]byte(body)); err == nil && (st.At.After(limit) || !(st.Speed >= 0.5 && st.Speed <= 8)) {
			t.Fatalf("state %+v", st)
		}
		if m, err := ParseMonthRecord([]byte(body)); err == nil && m>>31 != 0 { // no day 32
			t.Fatalf("mask %d from %q", m, body)
		}
	})
}

func TestRecordFileStart(t *testing.T) {
	for _, c := range []struct {
		name string
		want int64 // unix ms; -1: refused
	}{
		{"ch0_20261206T094252.123Z_60000.flv", 1796550172123},
		{"ch0_20261206T094252.123Z.flv", 1796550172123},
		{"ch12_20261206T094252.000Z.flv", 1796550172000},
		{"ch0_20261206T094252Z.flv", -1},
		{"../etc/passwd", -1},
		{"", -1},
		{"ch0_", -1},
	} {
		got, err := RecordFileStart(c.name)
		if c.want < 0 && err == nil || c.want >= 0 && (err != nil || got.UnixMilli() != c.want) {
			t.Errorf("%q: %v %v, want %d", c.name, got.UnixMilli(), err, c.want)
		}
	}
}
