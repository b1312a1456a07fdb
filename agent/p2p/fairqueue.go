package p2p

import "sync"

// Bounds of the signalling queue. A viewer sends an offer and then
// trickles its candidates, a dozen at most on a host with several
// interfaces; perInbox leaves room for that twice over.
const (
	queueMax      = 256
	queuePerInbox = 32
)

// fairQueue holds incoming signalling messages by the inbox they name
// and hands them out round robin, so that one viewer's flood fills its
// own queue and delays another viewer's offer by at most one message.
// Messages of one inbox keep their order (a session's offer before its
// candidates). Sorting costs no cryptography: it runs on the MQTT
// client's goroutine, ahead of the token checks.
type fairQueue[T any] struct {
	max, perKey int
	ready       chan struct{} // holds a token while messages wait

	mu     sync.Mutex // guards the fields below
	queues map[string][]T
	order  []string // keys with messages, in serving order
	n      int
}

func newFairQueue[T any](max, perKey int) *fairQueue[T] {
	return &fairQueue[T]{max: max, perKey: perKey, ready: make(chan struct{}, 1), queues: map[string][]T{}}
}

// push queues v under key. It reports false when v was dropped because
// key's queue is full. When the whole queue is full, the longest queue
// loses its oldest message instead.
func (q *fairQueue[T]) push(key string, v T) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.queues[key]) >= q.perKey {
		return false
	}
	if q.n >= q.max {
		longest := key
		for k, vs := range q.queues {
			if len(vs) > len(q.queues[longest]) {
				longest = k
			}
		}
		if len(q.queues[longest]) == 0 {
			return false
		}
		q.queues[longest] = q.queues[longest][1:]
		q.n--
		if len(q.queues[longest]) == 0 {
			q.forget(longest)
		}
	}
	if len(q.queues[key]) == 0 {
		q.order = append(q.order, key)
	}
	q.queues[key] = append(q.queues[key], v)
	q.n++
	select {
	case q.ready <- struct{}{}:
	default:
	}
	return true
}

// pop returns the next message round robin, if any.
func (q *fairQueue[T]) pop() (v T, ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.order) == 0 {
		return v, false
	}
	key := q.order[0]
	q.order = q.order[1:]
	vs := q.queues[key]
	v, vs = vs[0], vs[1:]
	q.n--
	if len(vs) == 0 {
		delete(q.queues, key)
	} else {
		q.queues[key] = vs
		q.order = append(q.order, key)
	}
	if q.n > 0 {
		select {
		case q.ready <- struct{}{}:
		default:
		}
	}
	return v, true
}

// forget removes an emptied key from the map and the serving order.
func (q *fairQueue[T]) forget(key string) {
	delete(q.queues, key)
	for i, k := range q.order {
		if k == key {
			q.order = append(q.order[:i], q.order[i+1:]...)
			return
		}
	}
}
