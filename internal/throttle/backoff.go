package throttle

import (
	"sync"
	"time"

	"github.com/p2pcam/p2pcam/internal/clock"
)

// Backoff defaults.
const (
	// DefaultFree failures cost nothing: a user mistyping a password a
	// few times is not slowed down.
	DefaultFree = 5
	// DefaultBase is the wait after the first failure beyond the free
	// ones; each further failure doubles it.
	DefaultBase = time.Second
	// DefaultMax caps the wait.
	DefaultMax = time.Minute
	// DefaultForget is how long after its last failure a key's count is
	// forgotten.
	DefaultForget = 15 * time.Minute
	// DefaultMaxKeys bounds the keys a Backoff or an EveryKey tracks,
	// and so the memory an attacker inventing keys can make it use
	// (about 100 bytes a key).
	DefaultMaxKeys = 10000
)

// BackoffConfig configures a Backoff. The zero value uses the defaults.
type BackoffConfig struct {
	Free    int           // failures before waits start; DefaultFree; negative: none
	Base    time.Duration // first wait; DefaultBase
	Max     time.Duration // longest wait; DefaultMax
	Forget  time.Duration // a key is forgotten this long after its last failure; DefaultForget
	MaxKeys int           // DefaultMaxKeys
	Clock   clock.Clock   // the system clock if nil
}

// Backoff makes keys wait after failures: after Free failures, each
// failure makes the key wait Base, then twice as long after the next,
// up to Max. A success, or Forget without a failure, clears the key.
type Backoff struct {
	cfg BackoffConfig

	mu   sync.Mutex // guards keys
	keys map[string]*backoffKey
}

type backoffKey struct {
	fails int
	until time.Time // no tries before this
	last  time.Time // the last failure
}

// NewBackoff returns a Backoff with cfg's zero fields defaulted.
func NewBackoff(cfg BackoffConfig) *Backoff {
	if cfg.Free == 0 {
		cfg.Free = DefaultFree
	}
	if cfg.Free < 0 {
		cfg.Free = 0
	}
	if cfg.Base <= 0 {
		cfg.Base = DefaultBase
	}
	if cfg.Max <= 0 {
		cfg.Max = DefaultMax
	}
	if cfg.Forget <= 0 {
		cfg.Forget = DefaultForget
	}
	if cfg.MaxKeys <= 0 {
		cfg.MaxKeys = DefaultMaxKeys
	}
	cfg.Clock = clock.Or(cfg.Clock)
	return &Backoff{cfg: cfg, keys: make(map[string]*backoffKey)}
}

// Wait returns how long key must still wait before its next try; 0 means
// it may try now.
func (b *Backoff) Wait(key string) time.Duration {
	now := b.cfg.Clock.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	k := b.keys[key]
	if k == nil || !k.until.After(now) {
		return 0
	}
	return k.until.Sub(now)
}

// Fail records a failure of key and returns the wait it now has.
func (b *Backoff) Fail(key string) time.Duration {
	now := b.cfg.Clock.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	k := b.keys[key]
	if k != nil && now.Sub(k.last) >= b.cfg.Forget {
		k = nil // forgotten: start again
	}
	if k == nil {
		if len(b.keys) >= b.cfg.MaxKeys {
			b.makeRoom(now)
		}
		k = &backoffKey{}
		b.keys[key] = k
	}
	k.fails++
	k.last = now
	over := k.fails - b.cfg.Free
	if over <= 0 {
		return 0
	}
	wait := b.cfg.Base
	for i := 1; i < over && wait < b.cfg.Max; i++ {
		wait *= 2
	}
	wait = min(wait, b.cfg.Max)
	k.until = now.Add(wait)
	return wait
}

// Succeed clears key: its next failure is its first.
func (b *Backoff) Succeed(key string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.keys, key)
}

// Len returns the number of keys tracked.
func (b *Backoff) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.keys)
}

// makeRoom drops the forgotten keys or, if none is, the one whose last
// failure is oldest. b.mu is held.
func (b *Backoff) makeRoom(now time.Time) {
	var oldest string
	var oldestAt time.Time
	dropped := false
	for key, k := range b.keys {
		if now.Sub(k.last) >= b.cfg.Forget {
			delete(b.keys, key)
			dropped = true
			continue
		}
		if oldest == "" || k.last.Before(oldestAt) {
			oldest, oldestAt = key, k.last
		}
	}
	if !dropped && oldest != "" {
		delete(b.keys, oldest)
	}
}
