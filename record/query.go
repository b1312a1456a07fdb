package record

import (
	"fmt"
	"os"
	"time"
)

// Query returns the segments that overlap [from, to], oldest first, the
// one being written included.
func (r *Recorder) Query(from, to time.Time) []Segment {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.idx.query(from, to)
}

// Month returns a bit mask of the days of a month with recordings, in
// Config.Location: the lowest bit is day 1.
func (r *Recorder) Month(year int, month time.Month) uint32 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.idx.month(year, month, r.cfg.Location)
}

// Lookup returns the segment whose file is called file. A name that is
// not a segment name wraps ErrBadName; one not in the index, ErrNotFound.
func (r *Recorder) Lookup(file string) (Segment, error) {
	n, err := ParseName(file)
	if err != nil {
		return Segment{}, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if i := r.idx.find(n); i >= 0 {
		if seg := r.idx.at(i); seg.File() == file {
			return seg, nil
		}
	}
	return Segment{}, fmt.Errorf("%w: %s", ErrNotFound, file)
}

// Open opens the segment whose file is called file, for reading: only a
// name from the index, and only inside the storage directory (os.Root:
// no "..", no symbolic link out). The Segment's Size is how much of the
// file holds whole tags.
func (r *Recorder) Open(file string) (*os.File, Segment, error) {
	seg, err := r.Lookup(file)
	if err != nil {
		return nil, Segment{}, err
	}
	// A root per call: one held open would keep the card's mount busy.
	root, err := os.OpenRoot(r.cfg.Dir)
	if err != nil {
		return nil, Segment{}, fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	defer root.Close()
	f, err := root.Open(seg.File())
	if err != nil {
		return nil, Segment{}, fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return nil, Segment{}, fmt.Errorf("%w: %s is not a regular file", ErrNotFound, file)
	}
	return f, seg, nil
}
