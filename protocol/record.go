package protocol

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/p2pcam/p2pcam/auth"
)

// Bounds on the parameters of record requests.
const (
	// MaxUnixTime is the latest time a request may name (2100-01-01):
	// later is a typo or an attack on arithmetic, not a recording.
	MaxUnixTime int64 = 4102444800
	// MaxFileNameLength bounds file_name; record's names are 44 bytes.
	MaxFileNameLength = 128
)

// recordCommands are the commands that read recordings: they need the
// playback permission, not the command one.
var recordCommands = map[string]bool{
	"get_record_index": true, "get_month_record": true, "get_file_list": true,
	CmdPlaybackPause: true, CmdPlaybackResume: true, CmdPlaybackSeek: true, CmdPlaybackProgress: true,
	CmdPlaybackSpeed: true,
}

// The commands that steer a playback running on the same session.
const (
	CmdPlaybackPause    = "playback_pause"
	CmdPlaybackResume   = "playback_resume"
	CmdPlaybackSeek     = "playback_seek" // time=S or progress=MS
	CmdPlaybackProgress = "playback_progress"
	CmdPlaybackSpeed    = "playback_speed" // speed=0.5|1|2|4|8
)

// Speeds are the values playback_speed takes, as the request spells
// them.
var speeds = map[string]float64{"0.5": 0.5, "1": 1, "2": 2, "4": 4, "8": 8}

// Speed parses playback_speed's speed: 0.5, 1, 2, 4 or 8, spelled so.
// Anything else is a 404 *Error.
func Speed(params url.Values) (float64, error) {
	s := params.Get("speed")
	if v, ok := speeds[s]; ok {
		return v, nil
	}
	return 0, errorf(StatusBadRequest, "bad speed %q: want 0.5, 1, 2, 4 or 8", clip(s))
}

// MaxProgress bounds playback_seek's progress: a day in milliseconds,
// longer than any playback a request asks for in practice.
const MaxProgress = 24 * time.Hour

// Seek parses playback_seek's target: time=S (unix seconds), or
// progress=MS (milliseconds after the playback's start_time, which is
// start). A missing or malformed value is a 404 *Error.
func Seek(params url.Values, start time.Time) (time.Time, error) {
	if params.Has("time") {
		t, err := unixParam(params, "time")
		if err != nil {
			return time.Time{}, err
		}
		return time.Unix(t, 0), nil
	}
	s := params.Get("progress")
	if s == "" || !allDigits(s) || len(s) > 9 {
		return time.Time{}, errorf(StatusBadRequest, "bad progress %q: want time=S (unix seconds) or progress=MS (milliseconds from the start)", clip(s))
	}
	ms, _ := strconv.ParseInt(s, 10, 64)
	if d := time.Duration(ms) * time.Millisecond; d <= MaxProgress {
		return start.Add(d), nil
	}
	return time.Time{}, errorf(StatusBadRequest, "progress %s ms is more than %v", s, MaxProgress)
}

// Permission returns what a viewer needs for r: its kind's permission,
// except that the commands that list recordings need playback.
func (r Request) Permission() auth.Permission {
	if r.Kind == KindCommand && recordCommands[r.Cmd] {
		return auth.PermPlayback
	}
	if r.Kind == KindCommand && otaCommands[r.Cmd] {
		return auth.PermUpdate
	}
	return r.Kind.Permission()
}

// TimeRange returns the start_time and end_time parameters, unix seconds
// with start at or before end, as times. A missing, malformed or
// out-of-range value is a 404 *Error.
func TimeRange(params url.Values) (from, to time.Time, err error) {
	f, err := unixParam(params, "start_time")
	if err != nil {
		return from, to, err
	}
	t, err := unixParam(params, "end_time")
	if err != nil {
		return from, to, err
	}
	if t < f {
		return from, to, errorf(StatusBadRequest, "end_time %d is before start_time %d", t, f)
	}
	return time.Unix(f, 0), time.Unix(t, 0), nil
}

// unixParam parses a unix time in seconds, 0 to MaxUnixTime, digits only.
func unixParam(params url.Values, name string) (int64, error) {
	s := params.Get(name)
	if s == "" {
		return 0, errorf(StatusBadRequest, "%s is required: a unix time in seconds", name)
	}
	if !allDigits(s) || len(s) > 10 {
		return 0, errorf(StatusBadRequest, "bad %s %q: want a unix time in seconds", name, clip(s))
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n > MaxUnixTime {
		return 0, errorf(StatusBadRequest, "bad %s %q: want a unix time in seconds up to %d", name, s, MaxUnixTime)
	}
	return n, nil
}

// Month parses get_month_record's time=yyyymm.
func Month(params url.Values) (year int, month time.Month, err error) {
	s := params.Get("time")
	if len(s) != 6 || !allDigits(s) {
		return 0, 0, errorf(StatusBadRequest, "bad time %q: want yyyymm", clip(s))
	}
	y, _ := strconv.Atoi(s[:4])
	m, _ := strconv.Atoi(s[4:])
	if y < 1970 || y >= 2100 || m < 1 || m > 12 {
		return 0, 0, errorf(StatusBadRequest, "bad time %q: want yyyymm from 197001 to 209912", s)
	}
	return y, time.Month(m), nil
}

// FileType parses the optional file_type (or type) of record listings:
// 0, the only type recorded now (continuous), when absent.
func FileType(params url.Values, name string) (int, error) {
	s := params.Get(name)
	if s == "" {
		return 0, nil
	}
	if !allDigits(s) || len(s) > 3 {
		return 0, errorf(StatusBadRequest, "bad %s %q: want a number", name, clip(s))
	}
	n, _ := strconv.Atoi(s)
	return n, nil
}

// Download parses a download request's file_name and offset (0 when
// absent). The name is checked only for size and for bytes no file name
// has: the store checks that it names one of its files.
func Download(params url.Values) (name string, offset int64, err error) {
	name = params.Get("file_name")
	switch {
	case name == "":
		return "", 0, errorf(StatusBadRequest, "file_name is required")
	case len(name) > MaxFileNameLength:
		return "", 0, errorf(StatusBadRequest, "file_name of %d bytes: the limit is %d", len(name), MaxFileNameLength)
	case strings.ContainsAny(name, "/\\\x00"):
		return "", 0, errorf(StatusBadRequest, "bad file_name %q: a name, not a path", clip(name))
	}
	if s := params.Get("offset"); s != "" {
		if !allDigits(s) || len(s) > 15 {
			return "", 0, errorf(StatusBadRequest, "bad offset %q: want a byte count", clip(s))
		}
		offset, _ = strconv.ParseInt(s, 10, 64)
	}
	return name, offset, nil
}

// DownloadFormat parses a download's optional format: "flv" (the
// recording's own file, the default) or "mp4" (remuxed, for phones).
func DownloadFormat(params url.Values) (string, error) {
	switch f := params.Get("format"); f {
	case "", "flv":
		return "flv", nil
	case "mp4":
		return f, nil
	default:
		return "", errorf(StatusBadRequest, "bad format %q: want flv or mp4", clip(f))
	}
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// clip shortens s for an error message.
func clip(s string) string {
	if len(s) > 32 {
		return s[:32] + "..."
	}
	return s
}
