// Package connset tracks the connections a server hands to another
// component to serve, so that a shutdown can end every one and wait for
// the serving to stop (the MQTT brokers hand theirs to mochi, whose own
// Close can deadlock: upstream issue #488).
package connset

import (
	"net"
	"sync"
	"time"
)

// Set tracks connections being served. The zero value is ready to use.
type Set struct {
	mu     sync.Mutex // guards conns and closed, and orders wg.Add before wg.Wait
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup // one per connection being served
}

// Serve runs serve(c) on its own goroutine and tracks c until it returns.
// After CloseAll it closes c at once and reports false.
func (s *Set) Serve(c net.Conn, serve func(net.Conn)) bool {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		c.Close()
		return false
	}
	if s.conns == nil {
		s.conns = make(map[net.Conn]struct{})
	}
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		defer s.forget(c)
		serve(c)
	}()
	return true
}

func (s *Set) forget(c net.Conn) {
	c.Close()
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
}

// CloseAll refuses new connections and closes the tracked ones.
func (s *Set) CloseAll() {
	s.mu.Lock()
	s.closed = true
	conns := make([]net.Conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
}

// Wait waits up to d for every Serve call to return and reports whether
// they all did.
func (s *Set) Wait(d time.Duration) bool {
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
		return false
	}
}
