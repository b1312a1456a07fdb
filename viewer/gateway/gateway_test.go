package gateway

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/link"
	"github.com/p2pcam/p2pcam/protocol"
	"github.com/p2pcam/p2pcam/viewer"
)

// Only a live stream that the camera serves goes through the live edge.
func TestLiveEdgeOnlyForLiveStreams(t *testing.T) {
	for _, c := range []struct {
		target string
		status protocol.Status
		maxLag time.Duration
		want   bool
	}{
		{"/ipc.flv?action=live&channel=0&quality=high", protocol.StatusOK, time.Second, true},
		{"/ipc.flv?action=live&channel=0&quality=high", protocol.StatusOK, 0, false},
		{"/ipc.flv?action=live&channel=0&quality=high", protocol.StatusTooMany, time.Second, false},
		{"/ipc.flv?action=playback&channel=0&file=a.flv", protocol.StatusOK, time.Second, false},
		{"/command?action=inner_define&channel=0&cmd=get_device_st&type=live", protocol.StatusOK, time.Second, false},
	} {
		g := New(nil, nil)
		g.MaxLag = c.maxLag
		resp := &link.Response{Status: c.status, Body: io.NopCloser(strings.NewReader(""))}
		if got := g.liveEdge(httptest.NewRequest("GET", c.target, nil), resp) != nil; got != c.want {
			t.Errorf("%s (status %d, max lag %v): live edge %v, want %v", c.target, c.status, c.maxLag, got, c.want)
		}
	}
}

// Warm dials at once; after a failure, the next request dials again.
func TestWarmDialsAndRetriesOnDemand(t *testing.T) {
	dials := 0
	g := New(func(context.Context) (*viewer.Conn, error) {
		dials++
		return nil, errors.New("camera offline")
	}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	g.Warm(context.Background())
	if dials != 1 {
		t.Fatalf("Warm dialled %d times, want 1", dials)
	}
	rec := httptest.NewRecorder()
	g.ServeHTTP(rec, httptest.NewRequest("GET", "/ipc.flv?action=live&channel=0&quality=high", nil))
	if dials != 2 || rec.Code != http.StatusBadGateway {
		t.Errorf("after a failed warm-up: %d dials, status %d; want 2 dials, 502", dials, rec.Code)
	}
}
