// Package syncbuf is a text buffer that goroutines write while a test reads
// it and waits on it: the log of a server, a client or a child process
// under test.
package syncbuf

import (
	"bytes"
	"strings"
	"sync"
	"time"
)

// Buffer is a bytes.Buffer safe for concurrent writers and readers. Its
// zero value is ready to use.
type Buffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	written chan struct{} // a token after writes; made on first use
}

// Write appends p and wakes WaitFor callers.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n, err := b.buf.Write(p)
	select {
	case b.changed() <- struct{}{}:
	default:
	}
	return n, err
}

// String returns everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// WaitFor waits up to timeout for a line that contains every one of
// parts, and returns it.
func (b *Buffer) WaitFor(timeout time.Duration, parts ...string) (string, bool) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	b.mu.Lock()
	written := b.changed()
	b.mu.Unlock()
	for {
		for _, line := range strings.Split(b.String(), "\n") {
			if containsAll(line, parts) {
				return line, true
			}
		}
		select {
		case <-written:
		case <-deadline.C:
			return "", false
		}
	}
}

// changed returns the write notification channel; b.mu must be held.
func (b *Buffer) changed() chan struct{} {
	if b.written == nil {
		b.written = make(chan struct{}, 1)
	}
	return b.written
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
