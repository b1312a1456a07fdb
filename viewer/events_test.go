package viewer_test

import (
	"context"
	"errors"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/agent"
	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/board/gpio"
	"github.com/p2pcam/p2pcam/board/gpio/gpiotest"
	"github.com/p2pcam/p2pcam/cloud"
	"github.com/p2pcam/p2pcam/event"
	"github.com/p2pcam/p2pcam/internal/brokertest"
	"github.com/p2pcam/p2pcam/protocol"
	"github.com/p2pcam/p2pcam/viewer"
)

// The second viewer account: the camera is not shared with it.
const (
	otherViewer     = "bob"
	otherViewerPass = "pw-bob"
)

// eventBrokers returns the dev cloud's broker and a real mosquitto with
// the test accounts and bob, the camera shared with alice only.
func eventBrokers() []testBroker {
	users := func(t *testing.T) []cloud.User {
		u := testUsers(t)
		bob := u[1]
		bob.Name = otherViewer
		bob.PasswordHash = hashPassword(t, otherViewerPass)
		return append(u, bob)
	}
	shares := []cloud.Share{{Device: testDevice, User: testViewer, Perms: []string{"live"}}}
	return []testBroker{
		{"embedded", func(t *testing.T) string {
			b := startCloudBrokerWith(t, cloud.BrokerConfig{Listen: "127.0.0.1:0", Users: users(t), Shares: shares})
			return "mqtt://" + b.Addr().String()
		}},
		{"mosquitto", func(t *testing.T) string {
			return "mqtt://" + brokertest.Mosquitto(t, []brokertest.Account{
				{Name: testDevice, Password: testDevicePass}, {Name: testViewer, Password: testViewerPass},
				{Name: otherViewer, Password: otherViewerPass},
			}, cloud.MosquittoACL(users(t), shares...))
		}},
	}
}

// nextEvent waits up to 15s for an event of type typ on s, skipping
// others, and returns it.
func nextEvent(t *testing.T, s *viewer.EventStream, typ string) event.Event {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		select {
		case e, ok := <-s.C:
			if !ok {
				t.Fatalf("event stream ended waiting for a %q event: %v", typ, s.Err())
			}
			if e.Type == typ {
				return e
			}
		case <-deadline:
			t.Fatalf("no %q event within 15s", typ)
		}
	}
}

// fakeInputs returns a fake GPIO chip and the agent's OpenInput on it.
func fakeInputs() (*gpiotest.Chip, func(string, int, bool, time.Duration, string) (agent.GPIOInput, error)) {
	chip := &gpiotest.Chip{Label: "pinctrl-test", Lines: 32}
	k := gpiotest.NewKernel(chip)
	return chip, func(c string, off int, activeLow bool, debounce time.Duration, consumer string) (agent.GPIOInput, error) {
		in, err := gpio.OpenInputWith(k, c, off, activeLow, debounce, consumer)
		if err != nil {
			return nil, err
		}
		return in, nil
	}
}

// Events reach a connected Go viewer over P2P, and an MQTT subscriber
// the camera is shared with, through both brokers: a doorbell on a GPIO
// input, a PTZ move, a stream starting, a maker's trigger_event. A
// viewer the camera is not shared with gets none on MQTT; a token
// without the live permission gets no event stream.
func TestEventsOverP2P(t *testing.T) {
	for _, b := range eventBrokers() {
		t.Run(b.name, func(t *testing.T) {
			chip, open := fakeInputs()
			chip.Drive(17, true) // pulled up: the button is not pressed
			broker := b.start(t)
			r := startCameraConfig(t, broker, func(c *agent.Config) {
				c.Events.Inputs = []agent.InputConfig{{Name: "doorbell", Chip: "pinctrl-test", Line: 17, ActiveLow: true}}
				c.OpenInput = open
				c.PTZ = agent.PTZConfig{PresetsFile: filepath.Join(t.TempDir(), "presets.json")}
			})
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()

			c, err := r.dial(t, r.token(t, auth.PermLive|auth.PermCommand))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			evs, err := c.Events(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer evs.Close()
			sub, err := viewer.SubscribeEvents(ctx, viewer.MQTTConfig{Broker: broker, Username: testViewer, Password: testViewerPass}, r.device)
			if err != nil {
				t.Fatal(err)
			}
			defer sub.Close()
			// bob may not read the camera's events: the broker refuses
			// the subscription, or delivers nothing.
			bob, bobErr := viewer.SubscribeEvents(ctx, viewer.MQTTConfig{Broker: broker, Username: otherViewer, Password: otherViewerPass}, r.device)
			if bobErr == nil {
				defer bob.Close()
			} else {
				t.Logf("bob's subscription refused: %v", bobErr)
			}

			// A maker's event, with a second session's command token.
			if st, rep := ask(t, c, "action=user_define&cmd=trigger_event&type=door.open&who=postman"); st != protocol.StatusOK {
				t.Fatalf("trigger_event: %d %v", st, rep)
			}
			for _, s := range []*viewer.EventStream{evs, sub} {
				if e := nextEvent(t, s, "door.open"); string(e.Data) != `{"who":"postman"}` {
					t.Errorf("trigger event data %s", e.Data)
				}
			}
			// The doorbell: pressed (active low), then released.
			chip.Drive(17, false)
			for _, s := range []*viewer.EventStream{evs, sub} {
				if e := nextEvent(t, s, event.TypeInput); string(e.Data) != `{"name":"doorbell","active":true}` {
					t.Errorf("doorbell event data %s", e.Data)
				}
			}
			// A PTZ step: moving, then stopped where it ended.
			if st, rep := ask(t, c, "action=user_define&cmd="+url.QueryEscape(`{"topic":"ptz","data":{"cmd":"ptz_left"}}`)); st != protocol.StatusOK {
				t.Fatalf("ptz_left: %d %v", st, rep)
			}
			if e := nextEvent(t, evs, event.TypePTZ); string(e.Data) != `{"state":"moving","direction":"left"}` {
				t.Errorf("ptz event %s", e.Data)
			}
			if e := nextEvent(t, evs, event.TypePTZ); string(e.Data[:18]) != `{"state":"stopped"` {
				t.Errorf("ptz event %s", e.Data)
			}
			// A stream starts for a live viewer.
			live, err := c.Request(ctx, "ipc.flv?action=live&channel=0&quality=standard")
			if err != nil {
				t.Fatal(err)
			}
			defer live.Body.Close()
			go func() { _, _ = io.Copy(io.Discard, live.Body) }()
			if e := nextEvent(t, evs, event.TypeStream); string(e.Data) != `{"quality":"standard","state":"started"}` {
				t.Errorf("stream event %s", e.Data)
			}
			// By now bob would have had the events published before.
			if bobErr == nil {
				select {
				case e, ok := <-bob.C:
					if ok {
						t.Errorf("bob, not shared the camera, got event %+v", e)
					}
				default:
				}
			}

			// A token for another camera gets no session, so no events.
			now := time.Now()
			other, err := auth.Sign(r.issuer, auth.Claims{Issuer: "test", Device: "test/cam2", Subject: testViewer, Perms: auth.PermAll, IssuedAt: now, Expiry: now.Add(time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			if c3, err := r.dial(t, other); !errors.Is(err, viewer.ErrRefused) {
				if c3 != nil {
					c3.Close()
				}
				t.Errorf("a token for another camera: %v, want refused", err)
			}
			// A token without live gets no event stream.
			c2, err := r.dial(t, r.token(t, auth.PermCommand))
			if err != nil {
				t.Fatal(err)
			}
			defer c2.Close()
			if _, err := c2.Events(ctx); !errors.Is(err, viewer.ErrNotOK) {
				t.Errorf("events without the live permission: %v, want refused", err)
			}
		})
	}
}

// Events over LAN mode's HTTP stream: the same events command. The
// storage directory going away is a "storage" event; a request without
// a token gets no stream.
func TestEventsOverLAN(t *testing.T) {
	records := filepath.Join(t.TempDir(), "sd")
	r := startCameraConfig(t, brokertest.AllowAll(t), func(c *agent.Config) {
		c.LAN.Listen = "127.0.0.1:0"
		c.LAN.WriteTimeout = time.Second
		c.Record = agent.RecordConfig{Dir: records, SegmentLength: 2 * time.Second}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	addr := r.agent.LANAddr(ctx)
	if addr == nil {
		t.Fatal("no LAN listener")
	}
	base := "http://" + addr.String()
	if _, err := viewer.Events(ctx, &viewer.LAN{Base: base}); !errors.Is(err, viewer.ErrNotOK) {
		t.Fatalf("events without a token: %v, want refused", err)
	}
	evs, err := viewer.Events(ctx, &viewer.LAN{Base: base, Token: r.token(t, auth.PermLive)})
	if err != nil {
		t.Fatal(err)
	}
	defer evs.Close()
	// One viewer holds at most 4 event streams.
	lan := &viewer.LAN{Base: base, Token: r.token(t, auth.PermLive)}
	for i := 2; i <= 4; i++ {
		more, err := viewer.Events(ctx, lan)
		if err != nil {
			t.Fatalf("event stream %d: %v", i, err)
		}
		defer more.Close()
	}
	if _, err := viewer.Events(ctx, lan); err == nil || !strings.Contains(err.Error(), "status 1: you have 4 event streams open") {
		t.Fatalf("a fifth event stream: %v, want busy", err)
	}
	// A quiet stream outlives the LAN write timeout: not a wait for a
	// condition, the time passing is what is tested.
	time.Sleep(1500 * time.Millisecond)
	lanGet(t, r, "command?action=user_define&cmd=trigger_event&n=1")
	if e := nextEvent(t, evs, event.TypeTrigger); string(e.Data) != `{"n":"1"}` {
		t.Errorf("trigger event data %s", e.Data)
	}
	// The metrics count the 4 streams and the MQTT publisher.
	// (The publisher subscribes as P2P mode starts, which may be just after LAN mode.)
	if m := lanGet(t, r, "metrics"); !regexp.MustCompile(`\np2pcam_event_subscribers [45]\n`).MatchString(m) || strings.Contains(m, "p2pcam_events_queued_total 0\n") {
		t.Errorf("event metrics: want 5 subscribers and events queued:\n%s", m)
	}
	// The recorder runs the stream; pull the card.
	if err := os.RemoveAll(records); err != nil {
		t.Fatal(err)
	}
	e := nextEvent(t, evs, event.TypeStorage)
	if string(e.Data[:19]) != `{"state":"removed",` {
		t.Errorf("storage event %s, want removed with a reason", e.Data)
	}
	evs.Close()
	if err := evs.Err(); err != nil {
		t.Errorf("Err after Close: %v", err)
	}
}

// The sim board's motion detector sees the visitor of its scene
// (sim.DrawScene) walk by VisitStart after the camera starts (or, if the
// stream opened too late for that, a PTZ step pan the scene), and says
// when the motion has ended.
func TestSimMotionEvents(t *testing.T) {
	r := startCameraConfig(t, brokertest.AllowAll(t), func(c *agent.Config) { c.LAN.Listen = "127.0.0.1:0" })
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	addr := r.agent.LANAddr(ctx)
	if addr == nil {
		t.Fatal("no LAN listener")
	}
	evs, err := viewer.Events(ctx, &viewer.LAN{Base: "http://" + addr.String(), Token: r.token(t, auth.PermLive)})
	if err != nil {
		t.Fatal(err)
	}
	defer evs.Close()
	start := nextEvent(t, evs, event.TypeMotion)
	if string(start.Data) == `{"state":"end"}` {
		// The stream opened while the visitor walked (a slow machine):
		// a PTZ step pans the scene, which is motion too.
		lanGet(t, r, "command?action=user_define&cmd=ptz_left")
		start = nextEvent(t, evs, event.TypeMotion)
	}
	if !strings.HasPrefix(string(start.Data), `{"state":"start","area":0.`) {
		t.Fatalf("first motion event %s, want a start with its area", start.Data)
	}
	if end := nextEvent(t, evs, event.TypeMotion); string(end.Data) != `{"state":"end"}` {
		t.Fatalf("second motion event %s, want the end", end.Data)
	}
}
