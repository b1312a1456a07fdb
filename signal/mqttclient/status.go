package mqttclient

import (
	"sync"
	"time"
)

// Status records a connection's ups and downs for a status page and
// metrics: whether it is up, since when, how often it came back and why
// the latest attempt failed. The zero value is ready to use; a nil
// *Status records nothing. Safe for concurrent use.
type Status struct {
	mu sync.Mutex // guards s
	s  StatusSnapshot
}

// StatusSnapshot is a Status at one moment.
type StatusSnapshot struct {
	// Connected reports whether the connection is up now.
	Connected bool
	// Since is when the connection came up, or went down (or the first
	// attempt began); zero before any attempt.
	Since time.Time
	// Connects counts the connections made; every one after the first
	// is a reconnect.
	Connects int
	// Failures counts the attempts that failed.
	Failures int
	// LastError is why the latest failed attempt failed, or why the
	// connection last dropped; empty if nothing went wrong yet.
	LastError string
	// LastErrorAt is when LastError happened.
	LastErrorAt time.Time
}

// Reconnects is how many connections followed the first.
func (s StatusSnapshot) Reconnects() int { return max(s.Connects-1, 0) }

// Snapshot returns the current state; the zero snapshot for a nil Status.
func (s *Status) Snapshot() StatusSnapshot {
	if s == nil {
		return StatusSnapshot{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.s
}

// update changes the state under the lock; nothing on a nil Status.
func (s *Status) update(f func(*StatusSnapshot)) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f(&s.s)
}

func (s *Status) starting(now time.Time) {
	s.update(func(st *StatusSnapshot) {
		if st.Since.IsZero() {
			st.Since = now
		}
	})
}

func (s *Status) up(now time.Time) {
	s.update(func(st *StatusSnapshot) { st.Connected, st.Since = true, now; st.Connects++ })
}

// down records the connection's end; why is empty for a clean close.
func (s *Status) down(now time.Time, why string) {
	s.update(func(st *StatusSnapshot) {
		st.Connected, st.Since = false, now
		if why != "" {
			st.LastError, st.LastErrorAt = why, now
		}
	})
}

func (s *Status) failed(now time.Time, err error) {
	s.update(func(st *StatusSnapshot) {
		st.Failures++
		st.LastError, st.LastErrorAt = err.Error(), now
	})
}
