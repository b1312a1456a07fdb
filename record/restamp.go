package record

import (
	"time"
)

// restamp renames the segments of this run that were started before the
// clock was trusted: now is the trusted time of the frame at pts, and
// frame times give each segment's real start.
func (r *Recorder) restamp(now time.Time, pts time.Duration) {
	for _, u := range r.unstamped {
		r.mu.Lock()
		i := r.idx.find(u.name)
		var seg Segment
		if i >= 0 {
			seg = r.idx.at(i)
		}
		r.mu.Unlock()
		if i < 0 || seg.Open {
			continue // deleted meanwhile
		}
		to := seg.Name
		to.Start = now.Add(u.firstPTS - pts).UTC().Truncate(time.Millisecond)
		if err := r.rename(seg.Name, to, seg.Size); err != nil {
			r.log.Warn("cannot re-stamp a segment recorded before the clock was set", "file", seg.Name, "err", err)
			continue
		}
		r.count(func(st *Stats) { st.Restamped++ })
		r.log.Info("re-stamped a segment recorded before the clock was set", "from", seg.Name, "to", to)
	}
	r.unstamped = r.unstamped[:0]
	r.syncDir()
}
