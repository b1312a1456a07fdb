package scale

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eclipse/paho.golang/paho"

	"github.com/p2pcam/p2pcam/signal"
	"github.com/p2pcam/p2pcam/signal/mqttclient"
)

// Payload sizes of a real session, measured on p2pcam view against the
// sim camera: an offer's SDP with its data channel and media sections, a
// viewer token, an answer and an ICE candidate line.
var (
	offerSDP  = strings.Repeat("a=x\r\n", 2200/5)
	answerSDP = strings.Repeat("a=y\r\n", 1600/5)
	token     = strings.Repeat("t", 420)
	candidate = &signal.Candidate{Candidate: "candidate:1 1 udp 2130706431 192.168.1.23 50000 typ host"}
)

// quiet is the fleet's logger: thousands of reconnect lines say nothing.
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// fleet is a set of simulated cameras and viewers on one broker.
type fleet struct {
	url     string
	cameras []*camera
	viewers []*viewer
}

// camera is one simulated camera: a kept-up connection that answers
// offers.
type camera struct {
	id     signal.DeviceID
	client *mqttclient.Client
	status mqttclient.Status
	ups    atomic.Int64 // connections on which it has subscribed and published its info
	upErr  atomic.Value // string: why the latest OnUp failed
	offers atomic.Int64
}

// viewer is one simulated viewer account with one kept-up connection.
type viewer struct {
	name   string
	client *mqttclient.Client

	mu      sync.Mutex
	waiting map[string]chan struct{} // session -> closed at its answer
}

func cameraName(i int) signal.DeviceID {
	return signal.DeviceID{Product: "SCALE", Device: fmt.Sprintf("cam%05d", i)}
}

func viewerName(i int) string { return fmt.Sprintf("viewer%04d", i) }

// password is the test password of an account.
func password(name string) string { return "pw-" + strings.ReplaceAll(name, "/", "-") }

// connectCameras connects n cameras, at most parallel at a time, and
// returns when all are up or ctx ends.
func (f *fleet) connectCameras(ctx context.Context, n, parallel int) error {
	f.cameras = make([]*camera, n)
	return forEach(ctx, n, parallel, func(ctx context.Context, i int) error {
		c := &camera{id: cameraName(i)}
		f.cameras[i] = c
		return c.connect(ctx, f.url)
	})
}

// connectViewers connects n viewers, at most parallel at a time.
func (f *fleet) connectViewers(ctx context.Context, n, parallel int) error {
	f.viewers = make([]*viewer, n)
	return forEach(ctx, n, parallel, func(ctx context.Context, i int) error {
		v := &viewer{name: viewerName(i), waiting: map[string]chan struct{}{}}
		f.viewers[i] = v
		return v.connect(ctx, f.url)
	})
}

// close closes every connection.
func (f *fleet) close() {
	for _, c := range f.cameras {
		if c != nil && c.client != nil {
			c.client.Close()
		}
	}
	for _, v := range f.viewers {
		if v != nil && v.client != nil {
			v.client.Close()
		}
	}
}

// camerasUp counts the cameras that have come up at least want times.
func (f *fleet) camerasUp(want int64) int {
	n := 0
	for _, c := range f.cameras {
		if c.ups.Load() >= want {
			n++
		}
	}
	return n
}

// waitCamerasUp waits until every camera has come up want times, and
// returns how long that took, or an error saying how many did not.
func (f *fleet) waitCamerasUp(ctx context.Context, want int64) (time.Duration, error) {
	start := time.Now()
	for {
		if n := f.camerasUp(want); n == len(f.cameras) {
			return time.Since(start), nil
		} else if ctx.Err() != nil {
			var late []string
			for _, c := range f.cameras {
				if c.ups.Load() < want && len(late) < 5 {
					late = append(late, fmt.Sprintf("%s: %+v, OnUp error %v", c.id, c.status.Snapshot(), c.upErr.Load()))
				}
			}
			return time.Since(start), fmt.Errorf("%d of %d cameras back after %v; not back: %s", n, len(f.cameras), time.Since(start).Round(time.Millisecond), strings.Join(late, "; "))
		}
		select {
		case <-ctx.Done():
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// sessions runs every viewer in a loop of set-ups with the cameras in
// turn until ctx ends, and returns how long each completed set-up took
// (offer sent to answer received), sorted, and how many failed.
func (f *fleet) sessions(ctx context.Context) (took []time.Duration, failed int64) {
	var bad atomic.Int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, v := range f.viewers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := i; ctx.Err() == nil; k += len(f.viewers) {
				start := time.Now()
				err := v.session(ctx, f.cameras[k%len(f.cameras)].id)
				switch {
				case err == nil:
					mu.Lock()
					took = append(took, time.Since(start))
					mu.Unlock()
				case ctx.Err() == nil:
					bad.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	slices.Sort(took)
	return took, bad.Load()
}

func (c *camera) connect(ctx context.Context, url string) error {
	offline := signal.DeviceInfo{Version: signal.InfoVersion, Online: false}
	cli, err := mqttclient.Connect(ctx, mqttclient.Config{
		URL:      url,
		ClientID: c.id.String(),
		Username: c.id.String(),
		Password: password(c.id.String()),
		Will:     &paho.WillMessage{Topic: c.id.InfoTopic(), Payload: offline.Encode(), Retain: true, QoS: 1},
		OnUp: func(ctx context.Context, cli *mqttclient.Client) {
			if err := cli.Subscribe(ctx, c.id.RPCTopic()); err != nil {
				c.upErr.Store(err.Error())
				return
			}
			info := signal.DeviceInfo{Version: signal.InfoVersion, Online: true, Boot: "b", PublicKey: strings.Repeat("k", 43), Since: time.Now().Unix(), Agent: "scale/1"}
			if err := cli.Publish(ctx, &paho.Publish{Topic: c.id.InfoTopic(), Payload: info.Encode(), Retain: true}); err != nil {
				c.upErr.Store(err.Error())
				return
			}
			c.ups.Add(1)
		},
		OnMessage: c.onMessage,
		Status:    &c.status,
		Logger:    quiet,
	})
	c.client = cli
	return err
}

// onMessage answers an offer as the camera does: an answer and two
// candidates to the offer's response topic.
func (c *camera) onMessage(p *paho.Publish) {
	m, err := signal.Decode(p.Payload)
	if err != nil || m.Type != signal.TypeOffer || p.Properties == nil || p.Properties.ResponseTopic == "" {
		return
	}
	c.offers.Add(1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		replies := []*signal.Message{
			{Type: signal.TypeAnswer, Session: m.Session, SDP: answerSDP, Signature: make([]byte, 64)},
			{Type: signal.TypeCandidate, Session: m.Session, Candidate: candidate},
			{Type: signal.TypeCandidate, Session: m.Session, Candidate: candidate},
		}
		for _, r := range replies {
			b, err := r.Encode()
			if err != nil {
				return
			}
			_ = c.client.Publish(ctx, &paho.Publish{Topic: p.Properties.ResponseTopic, Payload: b,
				Properties: &paho.PublishProperties{CorrelationData: p.Properties.CorrelationData}})
		}
	}()
}

func (v *viewer) connect(ctx context.Context, url string) error {
	cli, err := mqttclient.Connect(ctx, mqttclient.Config{
		URL:      url,
		ClientID: signal.ViewerClientID(v.name, "s1"),
		Username: v.name,
		Password: password(v.name),
		OnUp: func(ctx context.Context, cli *mqttclient.Client) {
			_ = cli.Subscribe(ctx, signal.InboxTopic(v.name))
		},
		OnMessage: v.onMessage,
		Logger:    quiet,
	})
	v.client = cli
	return err
}

func (v *viewer) onMessage(p *paho.Publish) {
	m, err := signal.Decode(p.Payload)
	if err != nil || m.Type != signal.TypeAnswer {
		return
	}
	v.mu.Lock()
	if ch, ok := v.waiting[m.Session]; ok {
		close(ch)
		delete(v.waiting, m.Session)
	}
	v.mu.Unlock()
}

// errNoAnswer is a session set-up that got no answer in time.
var errNoAnswer = errors.New("no answer")

// session sets up one session with cam: offer and two candidates, the
// answer, bye.
func (v *viewer) session(ctx context.Context, cam signal.DeviceID) error {
	id := newSession()
	answered := make(chan struct{})
	v.mu.Lock()
	v.waiting[id] = answered
	v.mu.Unlock()
	defer func() {
		v.mu.Lock()
		delete(v.waiting, id)
		v.mu.Unlock()
	}()
	send := func(m *signal.Message) error {
		b, err := m.Encode()
		if err != nil {
			return err
		}
		return v.client.Publish(ctx, &paho.Publish{Topic: cam.RPCTopic(), Payload: b,
			Properties: &paho.PublishProperties{ResponseTopic: signal.InboxTopic(v.name), CorrelationData: []byte(id)}})
	}
	for _, m := range []*signal.Message{
		{Type: signal.TypeOffer, Session: id, Token: token, SDP: offerSDP},
		{Type: signal.TypeCandidate, Session: id, Candidate: candidate},
		{Type: signal.TypeCandidate, Session: id, Candidate: candidate},
	} {
		if err := send(m); err != nil {
			return err
		}
	}
	select {
	case <-answered:
	case <-time.After(10 * time.Second):
		return errNoAnswer
	case <-ctx.Done():
		return ctx.Err()
	}
	return send(&signal.Message{Type: signal.TypeBye, Session: id})
}

func newSession() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// forEach runs fn for 0..n-1, at most parallel at a time, and returns
// the first error.
func forEach(ctx context.Context, n, parallel int, fn func(context.Context, int) error) error {
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	var first error
	var once sync.Once
	for i := range n {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return ctx.Err()
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := fn(ctx, i); err != nil {
				once.Do(func() { first = fmt.Errorf("#%d: %w", i, err) })
			}
		}()
	}
	wg.Wait()
	return first
}
