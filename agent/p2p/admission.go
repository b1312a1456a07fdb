package p2p

import (
	"sort"
	"time"
)

// admission decides which offers may start a session and which sessions
// still connecting (pending: no DTLS handshake yet) give way to them. A
// pending session costs the camera a peer connection, its sockets and
// timers while holding a place that a real viewer may need, so pending
// sessions are bounded per token subject (the identity the token's issuer
// vouches for) and in all, and a subject's offers are rate limited.
// Connected sessions are never evicted.
//
// It holds no lock: Server.mu guards it.
type admission struct {
	lim     limits
	entries map[string]*entry  // by session id
	buckets map[string]*bucket // offer rate, by subject
}

// limits are the admission knobs of Config, defaults applied.
type limits struct {
	maxSessions, maxPending, perSubject int
	sessionsPerSubject                  int // connecting or connected
	rate                                float64
	burst                               int
}

// entry is one booked session.
type entry struct {
	subject   string
	since     time.Time
	connected bool
}

// maxBuckets bounds the rate limiters kept; beyond it the ones that are
// full again (their subject has been quiet) are dropped.
const maxBuckets = 1024

func newAdmission(l limits) *admission {
	return &admission{lim: l, entries: map[string]*entry{}, buckets: map[string]*bucket{}}
}

// admit books a place for session id of subject at now. It returns the
// pending sessions that must give way (the caller closes them), or
// ErrOfferRate, ErrSubjectSessions or ErrFull and books nothing.
// Eviction takes, oldest first, the subject's own pending sessions beyond
// its share of pending or of all sessions; then, when
// the camera is full, the oldest pending session of the subject holding
// the most, if that subject holds at least two more than this one, so
// that an abuser makes room for everyone else but two viewers never
// take turns evicting each other.
func (a *admission) admit(id, subject string, now time.Time) (evict []string, err error) {
	if !a.bucket(subject, now).take(now) {
		return nil, ErrOfferRate
	}
	pending := a.pendingBySubject()
	mine := pending[subject]
	for len(mine) >= a.lim.perSubject {
		evict = append(evict, mine[0])
		mine = mine[1:]
	}
	// A subject's connected sessions are never evicted, so they are
	// bounded too: one viewer cannot hold every place with sessions that
	// connect and then idle.
	held := -len(evict)
	for _, e := range a.entries {
		if e.subject == subject {
			held++
		}
	}
	if held >= a.lim.sessionsPerSubject {
		if len(mine) == 0 {
			return nil, ErrSubjectSessions
		}
		evict = append(evict, mine[0])
		mine = mine[1:]
	}
	pending[subject] = mine
	npending := 0 // the subject's evicted ones no longer count
	for _, ids := range pending {
		npending += len(ids)
	}
	total := len(a.entries) - len(evict)
	if total >= a.lim.maxSessions || npending >= a.lim.maxPending {
		victim := a.heaviest(pending, subject)
		if victim == "" || len(pending[victim]) < len(mine)+2 {
			return nil, ErrFull
		}
		evict = append(evict, pending[victim][0])
	}
	a.entries[id] = &entry{subject: subject, since: now}
	return evict, nil
}

// pendingBySubject returns the pending sessions' ids by subject, oldest
// first.
func (a *admission) pendingBySubject() map[string][]string {
	by := map[string][]string{}
	for id, e := range a.entries {
		if !e.connected {
			by[e.subject] = append(by[e.subject], id)
		}
	}
	for _, ids := range by {
		sort.Slice(ids, func(i, j int) bool {
			ei, ej := a.entries[ids[i]], a.entries[ids[j]]
			if !ei.since.Equal(ej.since) {
				return ei.since.Before(ej.since)
			}
			return ids[i] < ids[j]
		})
	}
	return by
}

// heaviest returns the subject other than except holding the most
// pending sessions (on a tie, the one with the oldest), or "".
func (a *admission) heaviest(pending map[string][]string, except string) string {
	best := ""
	for s, ids := range pending {
		if s == except || len(ids) == 0 {
			continue
		}
		if best == "" || len(ids) > len(pending[best]) ||
			len(ids) == len(pending[best]) && a.entries[ids[0]].since.Before(a.entries[pending[best][0]].since) {
			best = s
		}
	}
	return best
}

// bucket returns subject's offer rate limiter.
func (a *admission) bucket(subject string, now time.Time) *bucket {
	if b, ok := a.buckets[subject]; ok {
		return b
	}
	if len(a.buckets) >= maxBuckets {
		for s, b := range a.buckets {
			if b.full(now) {
				delete(a.buckets, s)
			}
		}
	}
	b := newBucket(a.lim.rate, a.lim.burst, now)
	a.buckets[subject] = b
	return b
}

// connected marks session id as connected at now: it no longer counts as
// pending and is never evicted, and its offer's token goes back to its
// subject, so that the rate limit holds back only offers that never
// connect (a viewer that reconnects often is not refused).
func (a *admission) connected(id string, now time.Time) {
	e, ok := a.entries[id]
	if !ok || e.connected {
		return
	}
	e.connected = true
	a.bucket(e.subject, now).give(now)
}

// remove frees session id's place.
func (a *admission) remove(id string) { delete(a.entries, id) }

// counts returns the sessions booked and how many of them are pending.
func (a *admission) counts() (total, pending int) {
	for _, e := range a.entries {
		if !e.connected {
			pending++
		}
	}
	return len(a.entries), pending
}
