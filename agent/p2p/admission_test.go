package p2p

import (
	"errors"
	"slices"
	"testing"
	"time"
)

// step is one event an admission sees: an offer (want its evictions or
// error), a session connecting, or a session ending.
type step struct {
	op      string // "offer", "connect", "end"
	id      string
	subject string
	at      float64 // seconds from the start
	evict   []string
	err     error
}

func TestAdmission(t *testing.T) {
	small := limits{maxSessions: 4, maxPending: 3, perSubject: 2, sessionsPerSubject: 4, rate: 1, burst: 4}
	tests := []struct {
		name  string
		lim   limits
		steps []step
	}{
		{"a subject's third pending evicts its oldest", small, []step{
			{op: "offer", id: "a1", subject: "alice"},
			{op: "offer", id: "a2", subject: "alice", at: 0.1},
			{op: "offer", id: "a3", subject: "alice", at: 0.2, evict: []string{"a1"}},
			{op: "end", id: "a1"},
			{op: "offer", id: "a4", subject: "alice", at: 0.3, evict: []string{"a2"}},
		}},
		{"offer rate per subject, others unaffected", small, []step{
			{op: "offer", id: "a1", subject: "alice"},
			{op: "end", id: "a1"},
			{op: "offer", id: "a2", subject: "alice"},
			{op: "end", id: "a2"},
			{op: "offer", id: "a3", subject: "alice"},
			{op: "end", id: "a3"},
			{op: "offer", id: "a4", subject: "alice"},
			{op: "end", id: "a4"},
			{op: "offer", id: "a5", subject: "alice", err: ErrOfferRate},
			{op: "offer", id: "b1", subject: "bob"},
			{op: "offer", id: "a6", subject: "alice", at: 1},
		}},
		{"a connected session gives its token back", small, []step{
			{op: "offer", id: "a1", subject: "alice"},
			{op: "connect", id: "a1"},
			{op: "end", id: "a1"},
			{op: "offer", id: "a2", subject: "alice"},
			{op: "connect", id: "a2"},
			{op: "end", id: "a2"},
			{op: "offer", id: "a3", subject: "alice"},
			{op: "connect", id: "a3"},
			{op: "end", id: "a3"},
			{op: "offer", id: "a4", subject: "alice"},
			{op: "connect", id: "a4"},
			{op: "end", id: "a4"},
			{op: "offer", id: "a5", subject: "alice"},
		}},
		{"full of pending: the abuser's oldest gives way", small, []step{
			{op: "offer", id: "m1", subject: "mallory"},
			{op: "offer", id: "m2", subject: "mallory", at: 0.1},
			{op: "offer", id: "c1", subject: "carol", at: 0.2},
			{op: "offer", id: "b1", subject: "bob", at: 0.3, evict: []string{"m1"}},
		}},
		{"full of single pendings: refused, nobody evicted", small, []step{
			{op: "offer", id: "a1", subject: "alice"},
			{op: "offer", id: "b1", subject: "bob"},
			{op: "offer", id: "c1", subject: "carol"},
			{op: "offer", id: "d1", subject: "dave", err: ErrFull},
		}},
		{"connected sessions are never evicted", small, []step{
			{op: "offer", id: "m1", subject: "mallory"},
			{op: "connect", id: "m1"},
			{op: "offer", id: "m2", subject: "mallory"},
			{op: "connect", id: "m2"},
			{op: "offer", id: "m3", subject: "mallory"},
			{op: "connect", id: "m3"},
			{op: "offer", id: "m4", subject: "mallory"},
			{op: "connect", id: "m4"},
			{op: "offer", id: "b1", subject: "bob", err: ErrFull},
			{op: "end", id: "m4"},
			{op: "offer", id: "b1", subject: "bob"},
		}},
		{"full of sessions: a pending one of a heavy subject gives way", small, []step{
			{op: "offer", id: "a1", subject: "alice"},
			{op: "connect", id: "a1"},
			{op: "offer", id: "c1", subject: "carol"},
			{op: "connect", id: "c1"},
			{op: "offer", id: "m1", subject: "mallory", at: 0.1},
			{op: "offer", id: "m2", subject: "mallory", at: 0.2},
			{op: "offer", id: "b1", subject: "bob", at: 0.3, evict: []string{"m1"}},
		}},
		{"a subject's sessions are bounded, connected ones too", limits{maxSessions: 8, maxPending: 4, perSubject: 2, sessionsPerSubject: 3, rate: 1, burst: 8}, []step{
			{op: "offer", id: "m1", subject: "mallory"},
			{op: "connect", id: "m1"},
			{op: "offer", id: "m2", subject: "mallory"},
			{op: "connect", id: "m2"},
			{op: "offer", id: "m3", subject: "mallory", at: 0.1},
			{op: "offer", id: "m4", subject: "mallory", at: 0.2, evict: []string{"m3"}},
			{op: "connect", id: "m4"},
			{op: "offer", id: "m5", subject: "mallory", err: ErrSubjectSessions},
			{op: "offer", id: "b1", subject: "bob"},
		}},
		{"two subjects do not take turns evicting each other", limits{maxSessions: 4, maxPending: 2, perSubject: 2, sessionsPerSubject: 4, rate: 1, burst: 4}, []step{
			{op: "offer", id: "a1", subject: "alice"},
			{op: "offer", id: "b1", subject: "bob"},
			{op: "offer", id: "a2", subject: "alice", err: ErrFull},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t0 := time.Unix(1_700_000_000, 0)
			a := newAdmission(tt.lim)
			for i, s := range tt.steps {
				now := t0.Add(time.Duration(s.at * float64(time.Second)))
				switch s.op {
				case "offer":
					evict, err := a.admit(s.id, s.subject, now)
					if !errors.Is(err, s.err) || err == nil && s.err != nil {
						t.Fatalf("step %d: offer %s: err %v, want %v", i, s.id, err, s.err)
					}
					if !slices.Equal(evict, s.evict) {
						t.Fatalf("step %d: offer %s evicts %v, want %v", i, s.id, evict, s.evict)
					}
					for _, id := range evict {
						a.remove(id)
					}
				case "connect":
					a.connected(s.id, now)
				case "end":
					a.remove(s.id)
				}
				total, pending := a.counts()
				if total > tt.lim.maxSessions || pending > tt.lim.maxPending {
					t.Fatalf("step %d: %d sessions, %d pending: over %+v", i, total, pending, tt.lim)
				}
			}
		})
	}
}

func TestBucket(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	b := newBucket(2, 3, t0)
	for i := range 3 {
		if !b.take(t0) {
			t.Fatalf("take %d of a full bucket of 3 refused", i)
		}
	}
	if b.take(t0) {
		t.Fatal("took from an empty bucket")
	}
	if !b.take(t0.Add(500 * time.Millisecond)) {
		t.Fatal("no token after half a second at 2 a second")
	}
	b.give(t0.Add(500 * time.Millisecond))
	if !b.take(t0.Add(500 * time.Millisecond)) {
		t.Fatal("a token given back cannot be taken")
	}
	if b.full(t0.Add(time.Second)) || !b.full(t0.Add(2*time.Second)) {
		t.Fatal("bucket refills at the wrong rate")
	}
}

func TestFairQueue(t *testing.T) {
	q := newFairQueue[string](6, 3)
	pushes := []struct {
		key, v string
		ok     bool
	}{
		{"mallory", "m1", true},
		{"mallory", "m2", true},
		{"mallory", "m3", true},
		{"mallory", "m4", false}, // her queue is full
		{"bob", "b1", true},
		{"bob", "b2", true},
		{"carol", "c1", true},   // the queue is full now
		{"dave", "d1", true},    // mallory's is the longest: m1 goes
		{"mallory", "m5", true}, // room in hers again; she ties with bob for longest: m2 goes
	}
	for _, p := range pushes {
		if ok := q.push(p.key, p.v); ok != p.ok {
			t.Fatalf("push(%s, %s) = %v, want %v", p.key, p.v, ok, p.ok)
		}
	}
	var got []string
	for {
		v, ok := q.pop()
		if !ok {
			break
		}
		got = append(got, v)
	}
	want := []string{"m3", "b1", "c1", "d1", "m5", "b2"} // round robin
	if !slices.Equal(got, want) {
		t.Fatalf("served %v, want %v", got, want)
	}
}
