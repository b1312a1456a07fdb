package ioctltest

import "sync"

// FDBase is the first descriptor number an FDTable hands out, far above
// real ones, so that Poll can tell fake descriptors from real ones (an
// eventfd the code under test polls alongside its device).
const FDBase = 1 << 20

// FDTable maps the descriptors a fake kernel hands out to what they
// refer to. The zero value is empty and ready; it is safe for concurrent
// use.
type FDTable[T any] struct {
	mu   sync.Mutex // guards fds and next
	fds  map[int]T
	next int
}

// Add gives v a new descriptor.
func (f *FDTable[T]) Add(v T) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fds == nil {
		f.fds = make(map[int]T)
		f.next = FDBase
	}
	fd := f.next
	f.next++
	f.fds[fd] = v
	return fd
}

// Get returns what fd refers to, and false if it is not open.
func (f *FDTable[T]) Get(fd int) (T, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.fds[fd]
	return v, ok
}

// Remove closes fd and returns what it referred to, and false if it was
// not open.
func (f *FDTable[T]) Remove(fd int) (T, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.fds[fd]
	delete(f.fds, fd)
	return v, ok
}
