//go:build linux

package agent

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/event"
	"github.com/p2pcam/p2pcam/protocol"
)

// triggerCases drive TestTriggerEvent and FuzzTriggerEvent's seeds: a
// trigger_event command's parameters, the status, and the event's type
// and data when it is published.
var triggerCases = []struct {
	name   string
	query  string
	status protocol.Status
	typ    string
	data   string
}{
	{"plain", "cmd=trigger_event", protocol.StatusOK, "trigger", ""},
	{"type and data", "cmd=trigger_event&type=door.open&who=postman", protocol.StatusOK, "door.open", `{"who":"postman"}`},
	{"JSON form", "cmd=" + url.QueryEscape(`{"topic":"trigger_event","data":{"type":"pir","data":{"zone":2}}}`), protocol.StatusOK, "pir", `{"zone":2}`},
	{"bad type", "cmd=trigger_event&type=Door%20Bell", protocol.StatusBadRequest, "", ""},
	{"JSON form with an array", "cmd=" + url.QueryEscape(`{"topic":"trigger_event","data":{"data":[1]}}`), protocol.StatusBadRequest, "", ""},
	{"JSON form with a stranger", "cmd=" + url.QueryEscape(`{"topic":"trigger_event","data":{"x":1}}`), protocol.StatusBadRequest, "", ""},
	{"too large", "cmd=trigger_event&a=" + strings.Repeat("x", event.MaxSize), protocol.StatusBadRequest, "", ""},
	{"not UTF-8", "cmd=trigger_event&a=%ff", protocol.StatusBadRequest, "", ""},
}

// newEventAgent returns an agent, not running, and a subscriber of its
// events.
func newEventAgent(t testing.TB) (*Agent, *event.Sub) {
	a, err := New(Config{LAN: LANConfig{Listen: "off"}, Events: EventsConfig{Motion: "off"},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.closeHubs)
	sub, err := a.Events().Subscribe()
	if err != nil {
		t.Fatal(err)
	}
	return a, sub
}

func trigger(a *Agent, perms auth.Permission, query string) *replyRecorder {
	var rec replyRecorder
	a.Handle(context.Background(), protocol.Viewer{Addr: "test", Perms: perms}, "command?action=user_define&channel=0&"+query, &rec)
	return &rec
}

func TestTriggerEvent(t *testing.T) {
	a, sub := newEventAgent(t)
	for _, tt := range triggerCases {
		t.Run(tt.name, func(t *testing.T) {
			rec := trigger(a, auth.PermCommand, tt.query)
			if rec.status != tt.status {
				t.Fatalf("status %d %s, want %d", rec.status, rec.body.String(), tt.status)
			}
			if tt.status != protocol.StatusOK {
				select {
				case e := <-sub.C():
					t.Fatalf("a refused trigger published %+v", e)
				default:
				}
				return
			}
			select {
			case e := <-sub.C():
				if e.Type != tt.typ || string(e.Data) != tt.data {
					t.Fatalf("event %s %s, want %s %s", e.Type, e.Data, tt.typ, tt.data)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("no event")
			}
		})
	}
	if rec := trigger(a, auth.PermLive, "cmd=trigger_event"); rec.status != protocol.StatusForbidden {
		t.Errorf("trigger_event without command: %d, want 403", rec.status)
	}
}

// FuzzTriggerEvent: any parameters give 0 and a valid event, or 404 and
// none.
func FuzzTriggerEvent(f *testing.F) {
	for _, tt := range triggerCases {
		f.Add(tt.query)
	}
	a, sub := newEventAgent(f)
	f.Fuzz(func(t *testing.T, query string) {
		rec := trigger(a, auth.PermAll, "cmd=trigger_event&"+query)
		var body map[string]any
		if err := json.Unmarshal(rec.body.Bytes(), &body); err != nil {
			t.Fatalf("reply %q: %v", rec.body.String(), err)
		}
		select {
		case e := <-sub.C():
			if rec.status != protocol.StatusOK {
				t.Fatalf("status %d, yet published %+v", rec.status, e)
			}
			if _, err := e.Marshal(); err != nil {
				t.Fatalf("published an invalid event: %v", err)
			}
		default:
			if rec.status == protocol.StatusOK {
				t.Fatalf("status 0 but no event (%q)", query)
			}
		}
	})
}
