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

// Start returns the time of the segment's first frame.
func (s Segment) Start() time.Time { return s.Name.Start }

// index is the recordings sorted by start time. It is not safe for
// concurrent use: the Recorder guards it.
type index struct {
	segs  []Segment
	bytes int64 // sum of the sizes
}

// add inserts s in start order.
func (x *index) add(s Segment) {
	i := sort.Search(len(x.segs), func(i int) bool { return x.segs[i].Name.Start.After(s.Name.Start) })
	x.segs = append(x.segs, Segment{})
	copy(x.segs[i+1:], x.segs[i:])
	x.segs[i] = s
	x.bytes += s.Size
}

// find returns the position of the segment whose file is name, or -1.
func (x *index) find(name Name) int {
	i := sort.Search(len(x.segs), func(i int) bool { return !x.segs[i].Name.Start.Before(name.Start) })
	for ; i < len(x.segs) && x.segs[i].Name.Start.Equal(name.Start); i++ {
		if x.segs[i].Name.Channel == name.Channel {
			return i
		}
	}
	return -1
}

// update replaces the segment at i.
func (x *index) update(i int, s Segment) {
	x.bytes += s.Size - x.segs[i].Size
	x.segs[i] = s
}

// remove deletes the segment at i.
func (x *index) remove(i int) {
	x.bytes -= x.segs[i].Size
	x.segs = append(x.segs[:i], x.segs[i+1:]...)
}

// query returns the segments that overlap [from, to], in start order.
// Segments never overlap each other, so those that end after from start
// at or after the one that holds from.
func (x *index) query(from, to time.Time) []Segment {
	i := sort.Search(len(x.segs), func(i int) bool { return !x.segs[i].End.Before(from) })
	var out []Segment
	for ; i < len(x.segs) && !x.segs[i].Name.Start.After(to); i++ {
		out = append(out, x.segs[i])
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
		next := day.AddDate(0, 0, 1)
		i := sort.Search(len(x.segs), func(i int) bool { return !x.segs[i].End.Before(day) })
		if i < len(x.segs) && x.segs[i].Name.Start.Before(next) {
			mask |= 1 << (d - 1)
		}
	}
	return mask
}

// sort orders the segments by start time.
func (x *index) sort() {
	sort.Slice(x.segs, func(i, j int) bool { return x.segs[i].Name.Start.Before(x.segs[j].Name.Start) })
}
