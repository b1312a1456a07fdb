package record

import (
	"errors"
	"fmt"
	"os"
	"time"
)

// errNoRoom means nothing is left to delete and the write still does not
// fit the quota or the free-space margin.
var errNoRoom = errors.New("record: no room left: the quota or the free space is smaller than one segment")

// errNotMounted means the storage directory was a mount point at start
// and is not now: the card was removed.
var errNotMounted = errors.New("nothing is mounted there")

// reserve makes room for need more bytes: while they would take the
// recordings over the quota, or the file system under MinFree, the
// oldest finished segment is deleted. It is called before every write
// to a segment file, so the quota is never exceeded.
func (r *Recorder) reserve(need int64) error {
	for {
		r.mu.Lock()
		over := r.cfg.Quota > 0 && r.idx.bytes+need > r.cfg.Quota
		r.mu.Unlock()
		low := false
		if !over && r.cfg.MinFree > 0 {
			if free, ok := freeSpace(r.cfg.Dir); ok && free-need < r.cfg.MinFree {
				low = true
			}
		}
		if !over && !low {
			return nil
		}
		if !r.deleteOldest() {
			return fmt.Errorf("%w (quota %d bytes, %d wanted)", errNoRoom, r.cfg.Quota, need)
		}
	}
}

// expire deletes the segments that ended more than MaxAge before now,
// once the clock is trusted.
func (r *Recorder) expire(now time.Time) {
	if r.cfg.MaxAge <= 0 || now.Before(r.cfg.TrustedAfter) {
		return
	}
	limit := now.Add(-r.cfg.MaxAge)
	for {
		r.mu.Lock()
		old := r.idx.len() > 0 && !r.idx.segs[0].open && r.idx.segs[0].end() < limit.UnixMilli()
		r.mu.Unlock()
		if !old || !r.deleteOldest() {
			return
		}
	}
}

// deleteOldest deletes the oldest finished segment; false when there is
// none or it cannot be deleted.
func (r *Recorder) deleteOldest() bool {
	r.mu.Lock()
	if r.idx.len() == 0 || r.idx.segs[0].open {
		r.mu.Unlock()
		return false
	}
	seg := r.idx.at(0)
	r.mu.Unlock()
	if err := os.Remove(r.path(seg.Name)); err != nil && !errors.Is(err, os.ErrNotExist) {
		r.log.Warn("retention cannot delete a segment", "file", seg.Name, "err", err)
		return false
	}
	r.mu.Lock()
	if i := r.idx.find(seg.Name); i >= 0 {
		r.idx.remove(i)
	}
	r.stats.Deleted++
	r.mu.Unlock()
	r.log.Debug("retention deleted a segment", "file", seg.Name, "bytes", seg.Size)
	return true
}
