package record

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Limits on names, for names that come from requests.
const (
	// maxNameLength bounds a segment name: the longest this package
	// writes is 44 bytes ("ch255_20261206T094252.123Z_4294967295.flv").
	maxNameLength = 64
	// maxChannel is the highest channel number (protocol.MaxChannel).
	maxChannel = 255
	// MaxType is the highest clip type a name carries (X-P2P's type
	// field: 0 continuous, 1-255 event clips).
	MaxType = 255
	// maxDurationMS bounds the duration in a name: a segment is at most
	// MaxSegmentLength long; an hour leaves room.
	maxDurationMS = int64(time.Hour / time.Millisecond)
)

// stampLayout is the start time in a segment name: UTC to the
// millisecond, sortable as text.
const stampLayout = "20060102T150405.000Z"

// Ext is the file name extension of a segment.
const Ext = ".flv"

// Name is what a segment's file name says: its channel, the wall-clock
// time of its first frame, and, once it is finished, its duration. The
// segment being written has no duration in its name
// ("ch0_20261206T094252.123Z.flv"); when it is finished it is renamed
// with its duration in milliseconds ("ch0_20261206T094252.123Z_60000.flv").
// An event clip's name ends with its type ("ch0_20261206T094252.123Z_8000_t1.flv");
// continuous recording is type 0, which is not written.
type Name struct {
	Channel  int
	Start    time.Time     // UTC, whole milliseconds
	Duration time.Duration // whole milliseconds; 0 while the segment is being written
	Type     int           // 0 continuous; 1 to MaxType an event clip
}

// String returns the file name.
func (n Name) String() string {
	var b strings.Builder
	b.WriteString("ch")
	b.WriteString(strconv.Itoa(n.Channel))
	b.WriteByte('_')
	b.WriteString(n.Start.UTC().Format(stampLayout))
	if n.Duration > 0 {
		b.WriteByte('_')
		b.WriteString(strconv.FormatInt(n.Duration.Milliseconds(), 10))
	}
	if n.Type > 0 {
		b.WriteString("_t")
		b.WriteString(strconv.Itoa(n.Type))
	}
	b.WriteString(Ext)
	return b.String()
}

// Finished reports whether the name carries the segment's duration.
func (n Name) Finished() bool { return n.Duration > 0 }

// End returns the time of the segment's last frame, as its name says:
// Start for a segment still being written.
func (n Name) End() time.Time { return n.Start.Add(n.Duration) }

// ParseName parses a segment file name. Only the names String returns
// are accepted: no directory part, no other spelling of the same name.
// Anything else wraps ErrBadName.
func ParseName(s string) (Name, error) {
	bad := func(why string) (Name, error) {
		return Name{}, fmt.Errorf("%w: %q: %s", ErrBadName, truncate(s), why)
	}
	if len(s) > maxNameLength {
		return bad("too long")
	}
	rest, ok := strings.CutPrefix(s, "ch")
	if !ok {
		return bad("want ch<channel>_<start>[_<ms>][_t<type>].flv")
	}
	if rest, ok = strings.CutSuffix(rest, Ext); !ok {
		return bad("want the extension " + Ext)
	}
	parts := strings.Split(rest, "_")
	var n Name
	var err error
	if k := len(parts) - 1; k >= 2 && strings.HasPrefix(parts[k], "t") {
		if n.Type, err = strconv.Atoi(parts[k][1:]); err != nil || n.Type < 1 || n.Type > MaxType {
			return bad("bad clip type")
		}
		parts = parts[:k]
	}
	if len(parts) < 2 || len(parts) > 3 {
		return bad("want ch<channel>_<start>[_<ms>][_t<type>].flv")
	}
	if n.Channel, err = strconv.Atoi(parts[0]); err != nil || n.Channel < 0 || n.Channel > maxChannel {
		return bad("bad channel")
	}
	if n.Start, err = time.Parse(stampLayout, parts[1]); err != nil {
		return bad("bad start time")
	}
	if len(parts) == 3 {
		ms, err := strconv.ParseInt(parts[2], 10, 64)
		if err != nil || ms <= 0 || ms > maxDurationMS {
			return bad("bad duration")
		}
		n.Duration = time.Duration(ms) * time.Millisecond
	}
	if n.String() != s {
		return bad("not in canonical form")
	}
	return n, nil
}

// truncate shortens s for an error message.
func truncate(s string) string {
	if len(s) > maxNameLength {
		return s[:maxNameLength] + "..."
	}
	return s
}
