package record

import (
	"errors"
	"fmt"
	"os"
	"time"
)

// load rebuilds the index from the files in the storage directory.
// Files that are not segments of this channel are left alone; a segment
// left unfinished (a crash, a power cut) is repaired.
func (r *Recorder) load() error {
	entries, err := os.ReadDir(r.cfg.Dir)
	if err != nil {
		return fmt.Errorf("read the storage directory: %w", err)
	}
	var x index
	x.segs = make([]entry, 0, len(entries))
	for _, e := range entries {
		n, err := ParseName(e.Name())
		if err != nil || n.Channel != r.cfg.Channel || !e.Type().IsRegular() {
			continue
		}
		if !n.Finished() {
			seg, err := r.repair(n)
			if err != nil {
				r.log.Warn("unreadable unfinished segment left alone", "file", n, "err", err)
				continue
			}
			x.segs = append(x.segs, toEntry(seg))
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue // deleted meanwhile
		}
		x.segs = append(x.segs, toEntry(Segment{Name: n, Size: fi.Size(), End: n.End()}))
	}
	// ReadDir sorts by name, and names sort by start time within a
	// channel: only a changed channel-number width could break it.
	x.sort()
	for _, e := range x.segs {
		x.bytes += e.size
	}
	r.mu.Lock()
	r.idx = x
	r.mu.Unlock()
	r.log.Info("recordings indexed", "segments", len(x.segs), "bytes", x.bytes)
	return nil
}

// repair cuts the unfinished segment n to its last whole tag and renames
// it with its duration. A segment with no keyframe is deleted.
func (r *Recorder) repair(n Name) (Segment, error) {
	path := r.path(n)
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return Segment{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return Segment{}, err
	}
	sc, err := ScanSegment(f, fi.Size())
	if err == nil && len(sc.Keyframes) == 0 {
		err = fmt.Errorf("%w: no keyframe", ErrDamaged)
	}
	if err != nil {
		if errors.Is(err, ErrDamaged) {
			f.Close()
			os.Remove(path)
			r.log.Info("deleted an unfinished segment with nothing to play", "file", n, "err", err)
		}
		return Segment{}, err
	}
	if sc.Size < fi.Size() {
		if err := f.Truncate(sc.Size); err != nil {
			return Segment{}, err
		}
		r.log.Info("cut the damaged tail of a segment", "file", n, "bytes", fi.Size()-sc.Size, "why", sc.Damaged)
		r.count(func(st *Stats) { st.Repaired++ })
	}
	if err := f.Sync(); err != nil {
		return Segment{}, err
	}
	done := n
	done.Duration = max(sc.Duration.Truncate(time.Millisecond), time.Millisecond)
	if err := os.Rename(path, r.path(done)); err != nil {
		return Segment{}, err
	}
	r.syncDir()
	return Segment{Name: done, Size: sc.Size, End: done.End()}, nil
}
