package agent

import (
	"sort"
	"sync"
	"time"

	"github.com/VictoriaMetrics/metrics"

	"github.com/p2pcam/p2pcam/link"
	"github.com/p2pcam/p2pcam/media"
	"github.com/p2pcam/p2pcam/protocol"
)

// served is the registry of the streams the camera serves now (live,
// track feeds, talkers), for the status command. Safe for concurrent
// use.
type served struct {
	mu   sync.Mutex // guards next and all
	next uint64
	all  map[uint64]*servedRequest
}

// servedRequest is one request being served. A nil *servedRequest (a
// command) records nothing.
type servedRequest struct {
	id        uint64
	viewer    protocol.Viewer
	transport string
	request   string // the request line
	kind      protocol.Kind
	w         Responder
	clock     func() time.Time
	bytes     meter
	sent      *metrics.Counter // the transport's bytes sent; nil for a talker

	mu      sync.Mutex // guards quality and since
	quality media.Quality
	since   time.Time // when it started streaming; zero until then
}

// add registers a request; it is listed once started.
func (s *served) add(v protocol.Viewer, w Responder, line string, kind protocol.Kind, now func() time.Time, sent *metrics.Counter) *servedRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.all == nil {
		s.all = map[uint64]*servedRequest{}
	}
	s.next++
	r := &servedRequest{id: s.next, viewer: v, transport: transportOf(w), request: line, kind: kind, w: w, clock: now, sent: sent}
	s.all[r.id] = r
	return r
}

// subject returns the token subject of r's viewer; "" for nil.
func (r *servedRequest) subject() string {
	if r == nil {
		return ""
	}
	return r.viewer.Subject
}

// remove forgets r.
func (s *served) remove(r *servedRequest) {
	if r == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.all, r.id)
}

// started marks r as streaming the stream q ("" for a talker).
func (r *servedRequest) started(q media.Quality) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.quality, r.since = q, r.clock()
}

// count adds n bytes sent (or, for a talker, received).
func (r *servedRequest) count(n int) {
	if r == nil || n <= 0 {
		return
	}
	r.bytes.add(int64(n), r.clock())
	if r.sent != nil {
		r.sent.Add(n)
	}
}

// report lists the started requests, oldest first.
func (s *served) report(now time.Time) []protocol.ViewerReport {
	s.mu.Lock()
	all := make([]*servedRequest, 0, len(s.all))
	for _, r := range s.all {
		all = append(all, r)
	}
	s.mu.Unlock()
	sort.Slice(all, func(i, j int) bool { return all[i].id < all[j].id })
	out := []protocol.ViewerReport{}
	for _, r := range all {
		r.mu.Lock()
		q, since := r.quality, r.since
		r.mu.Unlock()
		if since.IsZero() {
			continue
		}
		v := protocol.ViewerReport{
			Who: r.viewer.Subject, Addr: r.viewer.Addr, Transport: r.transport,
			Request: r.request, Kind: r.kind.String(), Quality: string(q),
			BitrateBPS: int64(8 * r.bytes.perSecond(now)), Bytes: r.bytes.count(), Since: since,
		}
		if v.Who == "" {
			v.Who = v.Addr
		}
		if pr, ok := r.w.(interface{ Path() (link.Path, error) }); ok {
			if p, err := pr.Path(); err == nil {
				v.Path, v.Remote = p.Kind(), p.RemoteAddr
			}
		}
		out = append(out, v)
	}
	return out
}

// talker returns the started voice request, if any.
func (s *served) talker() (who string, since time.Time, ok bool) {
	for _, v := range s.report(time.Time{}) {
		if v.Kind == protocol.KindVoice.String() {
			return v.Who, v.Since, true
		}
	}
	return "", time.Time{}, false
}
