package viewer_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/agent"
	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/internal/brokertest"
	"github.com/p2pcam/p2pcam/viewer"
	"github.com/p2pcam/p2pcam/viewer/gateway"
)

// records is a slog handler that hands each record to a channel.
type records chan slog.Record

func (r records) Enabled(context.Context, slog.Level) bool { return true }
func (r records) Handle(_ context.Context, rec slog.Record) error {
	select {
	case r <- rec:
	default: // the test reads what it needs; the rest may go
	}
	return nil
}
func (r records) WithAttrs(as []slog.Attr) slog.Handler {
	return attrsHandler{r, as}
}
func (r records) WithGroup(string) slog.Handler { return r }

// attrsHandler adds the attributes of a With to each record.
type attrsHandler struct {
	r     records
	attrs []slog.Attr
}

func (h attrsHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h attrsHandler) Handle(ctx context.Context, rec slog.Record) error {
	rec = rec.Clone()
	rec.AddAttrs(h.attrs...)
	return h.r.Handle(ctx, rec)
}
func (h attrsHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return attrsHandler{h.r, append(append([]slog.Attr(nil), h.attrs...), as...)}
}
func (h attrsHandler) WithGroup(string) slog.Handler { return h }

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// awaitRecord returns the first record with message msg, within 20 s.
func awaitRecord(t *testing.T, recs records, msg string) map[string]string {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		select {
		case rec := <-recs:
			if rec.Message != msg {
				continue
			}
			if rec.Level != slog.LevelInfo {
				t.Errorf("%q logged at %v, want INFO", msg, rec.Level)
			}
			attrs := map[string]string{}
			rec.Attrs(func(a slog.Attr) bool { attrs[a.Key] = a.Value.String(); return true })
			return attrs
		case <-deadline:
			t.Fatalf("no %q logged within 20 s", msg)
		}
	}
}

// The gateway logs each viewer: who, the request, the quality served,
// when it started, the bytes and why it ended.
func TestGatewayLogsViewers(t *testing.T) {
	r := startCameraConfig(t, brokertest.AllowAll(t), func(*agent.Config) {})
	recs := make(records, 64)
	gw := gateway.New(func(ctx context.Context) (*viewer.Conn, error) {
		return r.dial(t, r.token(t, auth.PermLive|auth.PermCommand))
	},
		slog.New(recs))
	defer gw.Close()
	srv := httptest.NewServer(gw)
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/ipc.flv?action=live&channel=0&quality=standard", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	joined := awaitRecord(t, recs, "viewer joined")
	if !strings.HasPrefix(joined["viewer"], "127.0.0.1:") || joined["quality"] != "standard" || !strings.Contains(joined["request"], "quality=standard") {
		t.Errorf("viewer joined: %v", joined)
	}
	if _, err := io.ReadFull(resp.Body, make([]byte, 100_000)); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	left := awaitRecord(t, recs, "viewer left")
	if left["viewer"] != joined["viewer"] || left["quality"] != "standard" || left["reason"] != "the viewer went away" ||
		left["started"] == "" || left["duration"] == "" || atoi(left["bytes"]) < 100_000 {
		t.Errorf("viewer left: %v", left)
	}

	resp, err = http.Get(srv.URL + "/command?action=inner_define&channel=0&cmd=nope")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if done := awaitRecord(t, recs, "request done"); done["status"] != "406" || !strings.Contains(done["reason"], "refused") {
		t.Errorf("request done: %v", done)
	}
}
