package record

import (
	"sort"
	"time"
)

// Segment is one recording in the index.
type Segment struct {
	Name Name
	// Size is the bytes of the file that hold whole tags: all of a
	// finished segment, and what has reached the file of the one being
	// written.
	Size int64
	// End is the time of the segment's last frame on disk.
	End time.Time
	// Open is true for the segment being written.
	Open bool
}

// File returns the segment's file name.
func (s Segment) File() string { return s.Name.String() }

// Type returns the segment's type: 0 continuous, or an event clip's.
func (s Segment) Type() int { return s.Name.Type }

// Start returns the time of the segment's first frame.
func (s Segment) Start() time.Time { return s.Name.Start }

// entry is a Segment as the index keeps it, in 24 bytes: 30 days of
// one-minute segments take 1 MiB.
type entry struct {
	start   int64 // unix ms of the first frame
	size    int64
	dur     int32 // ms from the first frame to the last on disk
	channel uint8
	typ     uint8 // Name.Type: 0 continuous, or an event clip's type
	open    bool
}

func toEntry(s Segment) entry {
	return entry{start: s.Name.Start.UnixMilli(), size: s.Size, dur: int32(s.End.Sub(s.Name.Start).Milliseconds()),
		channel: uint8(s.Name.Channel), typ: uint8(s.Name.Type), open: s.Open}
}

func (e entry) segment() Segment {
	start := time.UnixMilli(e.start).UTC()
	end := start.Add(time.Duration(e.dur) * time.Millisecond)
	n := Name{Channel: int(e.channel), Start: start, Type: int(e.typ)}
	if !e.open {
		n.Duration = end.Sub(start)
	}
	return Segment{Name: n, Size: e.size, End: end, Open: e.open}
}

func (e entry) end() int64 { return e.start + int64(e.dur) }

// index is the recordings sorted by start time. It is not safe for
// concurrent use: the Recorder guards it.
type index struct {
	segs  []entry
	bytes int64 // sum of the sizes
}

// len returns the number of segments.
func (x *index) len() int { return len(x.segs) }

// at returns the segment at i.
func (x *index) at(i int) Segment { return x.segs[i].segment() }

// add inserts s in start order.
func (x *index) add(s Segment) {
	e := toEntry(s)
	i := sort.Search(len(x.segs), func(i int) bool { return x.segs[i].start > e.start })
	x.segs = append(x.segs, entry{})
	copy(x.segs[i+1:], x.segs[i:])
	x.segs[i] = e
	x.bytes += e.size
}

// find returns the position of the segment whose file is name, or -1.
func (x *index) find(name Name) int {
	ms := name.Start.UnixMilli()
	i := sort.Search(len(x.segs), func(i int) bool { return x.segs[i].start >= ms })
	for ; i < len(x.segs) && x.segs[i].start == ms; i++ {
		if int(x.segs[i].channel) == name.Channel && int(x.segs[i].typ) == name.Type {
			return i
		}
	}
	return -1
}

// update replaces the segment at i.
func (x *index) update(i int, s Segment) {
	e := toEntry(s)
	x.bytes += e.size - x.segs[i].size
	x.segs[i] = e
}

// remove deletes the segment at i.
func (x *index) remove(i int) {
	x.bytes -= x.segs[i].size
	x.segs = append(x.segs[:i], x.segs[i+1:]...)
}

// query returns the segments that overlap [from, to], in start order.
// Segments never overlap each other, so those that end after from start
// at or after the one that holds from.
func (x *index) query(from, to time.Time) []Segment {
	f, t := from.UnixMilli(), to.UnixMilli()
	i := sort.Search(len(x.segs), func(i int) bool { return x.segs[i].end() >= f })
	var out []Segment
	for ; i < len(x.segs) && x.segs[i].start <= t; i++ {
		out = append(out, x.segs[i].segment())
	}
	return out
}

// month returns a bit mask of the days of the month that have
// recordings, in loc: bit 0 is day 1. It costs a binary search a day.
func (x *index) month(year int, month time.Month, loc *time.Location) uint32 {
	var mask uint32
	for d := 1; d <= 31; d++ {
		day := time.Date(year, month, d, 0, 0, 0, 0, loc)
		if day.Month() != month {
			break
		}
		from, next := day.UnixMilli(), day.AddDate(0, 0, 1).UnixMilli()
		i := sort.Search(len(x.segs), func(i int) bool { return x.segs[i].end() >= from })
		if i < len(x.segs) && x.segs[i].start < next {
			mask |= 1 << (d - 1)
		}
	}
	return mask
}

// sort orders the segments by start time.
func (x *index) sort() {
	sort.Slice(x.segs, func(i, j int) bool { return x.segs[i].start < x.segs[j].start })
}
