package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/p2pcam/p2pcam/event"
	"github.com/p2pcam/p2pcam/protocol"
)

// eventKeepalive is how often an idle event stream gets an empty line:
// a viewer that went away is noticed (the write fails or times out), and
// proxies on the way keep the LAN stream open.
const eventKeepalive = 15 * time.Second

// eventWriteTimeout bounds one event's write to a viewer.
const eventWriteTimeout = 10 * time.Second

// maxEventStreams bounds one viewer's open event streams (per token
// subject, or per address without auth): an app needs one a session,
// and a spare or two while it reconnects. No viewer can take every one
// of the bus's places.
const maxEventStreams = 4

// eventStreams counts the open event streams per viewer. Its zero value
// works.
type eventStreams struct {
	mu sync.Mutex // guards n
	n  map[string]int
}

// acquire takes a place for viewer key, or reports that it has
// maxEventStreams already.
func (e *eventStreams) acquire(key string) (release func(), ok bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.n == nil {
		e.n = map[string]int{}
	}
	if e.n[key] >= maxEventStreams {
		return nil, false
	}
	e.n[key]++
	return func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		if e.n[key]--; e.n[key] <= 0 {
			delete(e.n, key)
		}
	}, true
}

// viewerKey names a viewer for per-viewer limits: its token's subject,
// or without auth its address's host.
func viewerKey(v protocol.Viewer) string {
	if v.Subject != "" {
		return "subject:" + v.Subject
	}
	if host, _, err := net.SplitHostPort(v.Addr); err == nil {
		return "addr:" + host
	}
	return "addr:" + v.Addr
}

// EventsConfig configures device events (package event; docs/protocol.md,
// Events). The zero value works: events go to P2P and LAN event streams
// and to the MQTT events topic; no GPIO input is watched.
type EventsConfig struct {
	// NoMQTT keeps events off the broker's events topic; viewers that
	// are connected still get them.
	NoMQTT bool `toml:"no_mqtt"`
	// Inputs are GPIO inputs (a doorbell button, a PIR sensor) whose
	// changes are events of type "input".
	Inputs []InputConfig `toml:"inputs"`
	// Motion turns the motion detector on or off: "on", "off", or ""
	// for the board's default (on for the sim board's scene only). "on"
	// on another board watches channel 0's raw V4L2 camera.
	Motion string `toml:"motion"`
}

// publish publishes an event of type typ with data v, now.
func (a *Agent) publish(typ string, v any) {
	a.events.Publish(event.New(typ, a.cfg.Clock.Now(), v))
}

// Events returns the camera's event bus: what it publishes, viewers hear.
func (a *Agent) Events() *event.Bus { return a.events }

// serveEvents streams events to the viewer, one JSON line each, until
// it goes or ctx is done.
func (a *Agent) serveEvents(ctx context.Context, log *slog.Logger, v protocol.Viewer, w Responder) {
	release, ok := a.eventStreams.acquire(viewerKey(v))
	if !ok {
		a.replyError(w, protocol.Errorf(protocol.StatusBusy, "you have %d event streams open already: close one", maxEventStreams))
		return
	}
	defer release()
	sub, err := a.events.Subscribe()
	if err != nil {
		a.replyError(w, protocol.Errorf(protocol.StatusBusy, "cannot stream events now: %v", err))
		return
	}
	defer sub.Close()
	if w.WriteHead(protocol.StatusOK, protocol.Head{ContentType: protocol.EventsContentType}) != nil || w.Flush() != nil {
		return
	}
	log.Info("event stream opened")
	keepalive := time.NewTicker(eventKeepalive)
	defer keepalive.Stop()
	sent := 0
	for {
		var line []byte
		select {
		case <-ctx.Done():
			log.Info("event stream closed", "events", sent, "dropped", sub.Dropped())
			return
		case <-keepalive.C:
			line = []byte{'\n'}
		case e, ok := <-sub.C():
			if !ok {
				return
			}
			b, err := e.Marshal()
			if err != nil {
				log.Warn("event not sent", "type", e.Type, "err", err)
				continue
			}
			line = append(b, '\n')
			sent++
		}
		_ = w.SetWriteDeadline(time.Now().Add(eventWriteTimeout))
		if _, err := w.Write(line); err != nil {
			log.Info("event stream ended", "err", err, "events", sent, "dropped", sub.Dropped())
			return
		}
		if err := w.Flush(); err != nil {
			log.Info("event stream ended", "err", err, "events", sent, "dropped", sub.Dropped())
			return
		}
	}
}

// triggerData is the JSON form of trigger_event:
// {"topic":"trigger_event","data":{"type":"doorbell","data":{...}}}.
type triggerData struct {
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

// serveTrigger publishes a viewer's event: cmd=trigger_event&type=T&K=V
// (the parameters but action, channel, cmd and type are its data, as
// strings) or the JSON form.
func (a *Agent) serveTrigger(log *slog.Logger, v protocol.Viewer, req protocol.Request, topic protocol.Topic, w Responder) {
	e := event.Event{Type: event.TypeTrigger, Time: a.cfg.Clock.Now()}
	if topic.Topic != "" {
		var d triggerData
		if topic.Data != nil {
			dec := json.NewDecoder(bytes.NewReader(topic.Data))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&d); err != nil {
				a.replyError(w, protocol.Errorf(protocol.StatusBadRequest, "bad trigger_event data: %v: want {\"type\":\"T\",\"data\":{...}}", err))
				return
			}
		}
		if d.Type != "" {
			e.Type = d.Type
		}
		e.Data = d.Data
	} else {
		if t := req.Params.Get("type"); t != "" {
			e.Type = t
		}
		data := map[string]string{}
		for k, vs := range req.Params {
			switch k {
			case "action", "channel", "cmd", "type":
				continue
			}
			data[k] = vs[0]
		}
		if len(data) > 0 {
			e.Data, _ = json.Marshal(data)
		}
	}
	if _, err := e.Marshal(); err != nil {
		a.replyError(w, protocol.Errorf(protocol.StatusBadRequest, "%s", strings.TrimPrefix(err.Error(), "event: ")))
		return
	}
	a.events.Publish(e)
	log.Info("event triggered", "type", e.Type)
	a.replyJSON(w, protocol.StatusOK, map[string]string{"status": "0"})
}
