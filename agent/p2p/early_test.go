package p2p

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/protocol"
)

// An offer's live request that no request channel takes over ends after
// earlyWait; one whose handler answered at once keeps the answer for the
// channel to come; the session's end ends it too.
func TestEarlyRequestLifetime(t *testing.T) {
	old := earlyWait
	earlyWait = 50 * time.Millisecond
	t.Cleanup(func() { earlyWait = old })
	tests := []struct {
		name     string
		cancel   bool // the session ends at once
		refuse   bool // the handler answers 403 and returns
		maxTaken time.Duration
	}{
		{name: "unasked", maxTaken: 2 * time.Second},
		{name: "session ends", cancel: true, maxTaken: 2 * time.Second},
		{name: "refused", refuse: true, maxTaken: 2 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEarly("ipc.track?action=live&channel=0&quality=high", nil)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancel {
				cancel()
			}
			start := time.Now()
			e.run(ctx, func(ctx context.Context, w Responder) {
				if tt.refuse {
					_ = w.WriteHead(protocol.StatusForbidden, protocol.Head{})
					_, _ = w.Write([]byte("why"))
					return
				}
				if n, err := w.Write([]byte("kept")); n != 4 || err != nil {
					t.Errorf("Write before a channel took over = %d, %v", n, err)
				}
				if _, err := w.Write(make([]byte, earlyBodyMax)); !errors.Is(err, errEarlyBody) {
					t.Errorf("Write beyond the buffer: %v, want errEarlyBody", err)
				}
				if err := w.Flush(); err != nil || w.Backlog() != 0 {
					t.Errorf("Flush = %v, Backlog = %d", err, w.Backlog())
				}
				if _, err := w.Upload().Read(make([]byte, 8)); !errors.Is(err, io.EOF) {
					t.Errorf("Upload read %v, want EOF", err)
				}
				<-ctx.Done()
			})
			if took := time.Since(start); took > tt.maxTaken {
				t.Errorf("the request ran %v", took)
			}
			select {
			case <-e.finished:
			default:
				t.Error("finished not closed after run returned")
			}
			if tt.name == "unasked" && e.adopt(nil) {
				t.Error("a request that ended unasked was taken over: its channel would get a stream that no longer runs")
			}
			if tt.refuse && (e.head == nil || e.head.status != protocol.StatusForbidden || string(e.body) != "why") {
				t.Errorf("kept head %+v and body %q, want the 403 and its body for the channel to come", e.head, e.body)
			}
		})
	}
}
