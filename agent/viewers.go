package agent

import "sync"

// viewerLimit counts viewers across every transport against the limit.
type viewerLimit struct {
	max      int
	onChange func(n int) // called with mu held on every change; may be nil
	mu       sync.Mutex  // guards n
	n        int
}

// acquire takes a viewer slot; ok is false when all are taken.
func (v *viewerLimit) acquire() (release func(), ok bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.n >= v.max {
		return nil, false
	}
	v.n++
	v.changed()
	var once sync.Once
	return func() {
		once.Do(func() {
			v.mu.Lock()
			v.n--
			v.changed()
			v.mu.Unlock()
		})
	}, true
}

// count returns the viewers connected now.
func (v *viewerLimit) count() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.n
}

// changed reports the count. v.mu must be held.
func (v *viewerLimit) changed() {
	if v.onChange != nil {
		v.onChange(v.n)
	}
}
