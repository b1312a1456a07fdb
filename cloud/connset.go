package cloud

import (
	"net"
	"sync"
	"time"
)

// connSet tracks the broker's client connections, whatever listener took
// them, so that Close can end every one before mochi's own shutdown (see
// Broker.Close).
type connSet struct {
	mu     sync.Mutex // guards conns and closed, and orders wg.Add before wg.Wait
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup // one per connection being served
}

// serve runs serve(c) on its own goroutine and tracks c until it returns.
// After closeAll it closes c at once and reports false.
func (s *connSet) serve(c net.Conn, serve func(net.Conn)) bool {
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

func (s *connSet) forget(c net.Conn) {
	c.Close()
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
}

// closeAll refuses new connections and closes the tracked ones.
func (s *connSet) closeAll() {
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

// wait waits up to d for every serve call to return and reports whether
// they all did.
func (s *connSet) wait(d time.Duration) bool {
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
