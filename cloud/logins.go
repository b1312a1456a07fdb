package cloud

import (
	"log/slog"
	"sync"
	"time"

	"github.com/p2pcam/p2pcam/internal/clock"
	"github.com/p2pcam/p2pcam/internal/throttle"
)

// Login back-off defaults (LoginThrottle). A wrong password costs
// nothing the first few times; after that each one makes the account,
// and the address it came from, wait twice as long before the next try,
// up to a cap. A refusal while waiting costs no bcrypt comparison.
const (
	// DefaultLoginFree failures pass without a wait: a user mistyping.
	DefaultLoginFree = 5
	// DefaultAccountWaitMax caps an account's wait. It is short because
	// anyone can make an account wait by failing its logins; the account's
	// own recent addresses do not wait at all (DefaultLoginTrust).
	DefaultAccountWaitMax = 30 * time.Second
	// DefaultAddressWaitMax caps an address's wait: only that address's
	// own failures make it wait, so it can be longer.
	DefaultAddressWaitMax = time.Minute
	// DefaultLoginForget is how long after its last failure an account or
	// address starts again from nothing.
	DefaultLoginForget = 15 * time.Minute
	// DefaultLoginTrust is how long after a successful login the same
	// account from the same address is exempt from the account's wait.
	DefaultLoginTrust = 24 * time.Hour
	// maxTrusted bounds the (account, address) pairs remembered.
	maxTrusted = 10000
)

// LoginThrottle configures the back-off on failed logins, shared by the
// broker and the token service. The zero value uses the defaults.
type LoginThrottle struct {
	Free           int           // DefaultLoginFree; negative: none
	AccountWaitMax time.Duration // DefaultAccountWaitMax
	AddressWaitMax time.Duration // DefaultAddressWaitMax
	Forget         time.Duration // DefaultLoginForget
	Trust          time.Duration // DefaultLoginTrust
	Clock          clock.Clock   // the system clock if nil
}

// loginGuard applies a LoginThrottle. Failures are counted per account
// (existing accounts only: made-up names would cost memory) and per
// client address (an IPv6 /64 as one). A success clears the account, and
// exempts that account at that address from the account's wait for
// Trust: an attacker failing alice's logins from elsewhere makes other
// addresses wait up to AccountWaitMax, never alice at an address she
// logged in from. A success does not clear the address, so that an
// attacker cannot reset his address by logging in to his own account
// between guesses; it is forgotten Forget after its last failure.
type loginGuard struct {
	accounts *throttle.Backoff
	addrs    *throttle.Backoff
	clock    clock.Clock
	trust    time.Duration
	log      *slog.Logger
	every    throttle.Every // throttled refusals, logged once per interval

	mu      sync.Mutex           // guards trusted
	trusted map[string]time.Time // account + "\x00" + address key -> last success
}

func newLoginGuard(cfg LoginThrottle, log *slog.Logger) *loginGuard {
	clk := clock.Or(cfg.Clock)
	if cfg.Free == 0 {
		cfg.Free = DefaultLoginFree
	}
	if cfg.AccountWaitMax <= 0 {
		cfg.AccountWaitMax = DefaultAccountWaitMax
	}
	if cfg.AddressWaitMax <= 0 {
		cfg.AddressWaitMax = DefaultAddressWaitMax
	}
	if cfg.Forget <= 0 {
		cfg.Forget = DefaultLoginForget
	}
	if cfg.Trust <= 0 {
		cfg.Trust = DefaultLoginTrust
	}
	return &loginGuard{
		accounts: throttle.NewBackoff(throttle.BackoffConfig{Free: cfg.Free, Max: cfg.AccountWaitMax, Forget: cfg.Forget, Clock: clk}),
		addrs:    throttle.NewBackoff(throttle.BackoffConfig{Free: cfg.Free, Max: cfg.AddressWaitMax, Forget: cfg.Forget, Clock: clk}),
		clock:    clk,
		trust:    cfg.Trust,
		log:      log,
		trusted:  make(map[string]time.Time),
	}
}

// wait returns how long a login as user (known: the account exists) from
// remote must still wait; 0 means it may be checked now. A wait is
// logged once per interval, with how many were refused since.
func (g *loginGuard) wait(via, user string, known bool, remote string) time.Duration {
	addr := throttle.AddrKey(remote)
	w := g.addrs.Wait(addr)
	if known && !g.isTrusted(user, addr) {
		w = max(w, g.accounts.Wait(user))
	}
	if w > 0 {
		if n, ok := g.every.Tick(g.clock.Now()); ok {
			g.log.Warn("cloud: logins refused: too many failures, backing off", "via", via, "user", user, "remote", remote,
				"retry_in", w.Round(time.Second), "refused_since_last_log", n)
		}
	}
	return w
}

// failed records a wrong password.
func (g *loginGuard) failed(user string, known bool, remote string) {
	g.addrs.Fail(throttle.AddrKey(remote))
	if known {
		g.accounts.Fail(user)
	}
}

// succeeded records a good password.
func (g *loginGuard) succeeded(user, remote string) {
	g.accounts.Succeed(user)
	now := g.clock.Now()
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.trusted) >= maxTrusted {
		g.forgetTrust(now)
	}
	g.trusted[user+"\x00"+throttle.AddrKey(remote)] = now
}

func (g *loginGuard) isTrusted(user, addr string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	at, ok := g.trusted[user+"\x00"+addr]
	return ok && g.clock.Now().Sub(at) < g.trust
}

// forgetTrust drops the expired pairs and, if that frees less than a
// tenth of the room, any others until it has: a pair lost costs its
// account at most AccountWaitMax, and the sweep stays rare. g.mu is
// held.
func (g *loginGuard) forgetTrust(now time.Time) {
	for k, at := range g.trusted {
		if now.Sub(at) >= g.trust {
			delete(g.trusted, k)
		}
	}
	for k := range g.trusted {
		if len(g.trusted) <= maxTrusted-maxTrusted/10 {
			break
		}
		delete(g.trusted, k)
	}
}

// expiredCredential reports whether password is a session credential
// this cloud issued to user that has expired: a page reconnecting after
// its session ended, not a guess, so it is refused without counting as
// a failure (and without a bcrypt comparison).
func expiredCredential(key []byte, user, password string, now time.Time) bool {
	return !checkMQTTCredential(key, user, password, now) && checkMQTTCredential(key, user, password, time.Unix(0, 0))
}
