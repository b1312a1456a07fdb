package viewer

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/eclipse/paho.golang/paho"

	"github.com/p2pcam/p2pcam/event"
	"github.com/p2pcam/p2pcam/protocol"
	"github.com/p2pcam/p2pcam/signal"
	"github.com/p2pcam/p2pcam/signal/mqttclient"
)

// eventQueue is an EventStream's channel: a reader that stalls for a
// moment loses nothing; one that stops reading holds up only its own
// stream.
const eventQueue = 64

// EventStream delivers a camera's events (package event) until Close,
// or until the stream ends: then C is closed and Err says why.
type EventStream struct {
	// C delivers the events in order.
	C <-chan event.Event

	c         chan event.Event
	stop      func()        // ends the stream: idempotent
	quit      chan struct{} // closed by stop
	done      chan struct{} // closed with C
	err       error         // set before done closes
	malformed atomic.Uint64
}

func newEventStream(stop func()) *EventStream {
	c := make(chan event.Event, eventQueue)
	s := &EventStream{C: c, c: c, quit: make(chan struct{}), done: make(chan struct{})}
	s.stop = sync.OnceFunc(func() {
		close(s.quit)
		stop()
	})
	return s
}

// Close ends the stream and waits until C is closed.
func (s *EventStream) Close() {
	s.stop()
	<-s.done
}

// Err says why the stream ended: nil after Close, io.EOF when the
// camera ended it, or the error that broke it. It blocks until C is
// closed.
func (s *EventStream) Err() error {
	<-s.done
	return s.err
}

// Malformed counts the events that were skipped because they did not
// decode.
func (s *EventStream) Malformed() uint64 { return s.malformed.Load() }

// Events opens the camera's event stream on r (a *Conn over P2P, or a
// LAN) with the request protocol.EventsRequest; the token needs the live
// permission. The stream runs until ctx is done, Close, or the camera
// ends it.
func Events(ctx context.Context, r Requester) (*EventStream, error) {
	ctx, cancel := context.WithCancel(ctx)
	resp, err := r.Request(ctx, protocol.EventsRequest)
	if err != nil {
		cancel()
		return nil, err
	}
	if resp.Status != protocol.StatusOK {
		defer cancel()
		defer resp.Body.Close()
		return nil, refusal(resp)
	}
	s := newEventStream(func() {
		cancel()
		_ = resp.Body.Close()
	})
	go func() {
		err := s.read(resp.Body)
		if ctx.Err() != nil {
			err = nil // closed by the viewer
		}
		s.stop()
		s.end(err)
	}()
	return s, nil
}

// Events opens the camera's event stream on the session (see Events).
func (c *Conn) Events(ctx context.Context) (*EventStream, error) { return Events(ctx, c) }

// read decodes body into C until it ends.
func (s *EventStream) read(body io.Reader) error {
	r := event.NewReader(body)
	for {
		e, err := r.Next()
		switch {
		case errors.Is(err, event.ErrInvalid), errors.Is(err, event.ErrTooLarge):
			s.malformed.Add(1)
			continue
		case err != nil:
			return err
		}
		select {
		case s.c <- e:
		case <-s.quit:
			return nil
		}
	}
}

// end closes C with err, once.
func (s *EventStream) end(err error) {
	s.err = err
	close(s.c)
	close(s.done)
}

// MQTTConfig says how to reach the broker, for a viewer that is not
// connected to the camera.
type MQTTConfig struct {
	Broker   string // mqtt://host:port
	Username string // the viewer's broker account
	Password string
}

// SubscribeEvents receives a camera's events from its MQTT events topic
// (signal.DeviceID.EventsTopic), with no P2P session: the broker lets
// only accounts the camera is shared with subscribe. Events published
// while the broker connection is down are lost. A subscription the
// broker refuses is an error.
func SubscribeEvents(ctx context.Context, cfg MQTTConfig, dev signal.DeviceID) (*EventStream, error) {
	id := make([]byte, 8)
	_, _ = rand.Read(id)
	ctx, cancel := context.WithCancel(ctx)
	var s *EventStream
	subscribed := make(chan error, 1)
	msgs := make(chan []byte, eventQueue)
	mq, err := mqttclient.Connect(ctx, mqttclient.Config{
		URL: cfg.Broker, ClientID: signal.ViewerClientID(cfg.Username, fmt.Sprintf("ev%x", id)),
		Username: cfg.Username, Password: cfg.Password, FailFast: true,
		OnUp: func(ctx context.Context, mq *mqttclient.Client) {
			err := mq.Subscribe(ctx, dev.EventsTopic())
			select {
			case subscribed <- err:
			default:
			}
		},
		OnMessage: func(p *paho.Publish) {
			if p.Topic != dev.EventsTopic() {
				return
			}
			select {
			case msgs <- p.Payload:
			default: // the reader fell behind: lost, like any MQTT event while away
			}
		},
	})
	if err != nil {
		cancel()
		return nil, fmt.Errorf("viewer: %w", err)
	}
	select {
	case err = <-subscribed:
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err != nil {
		cancel()
		mq.Close()
		return nil, fmt.Errorf("viewer: events of %s: %w", dev, err)
	}
	s = newEventStream(cancel)
	go func() {
		defer mq.Close()
		for {
			select {
			case <-ctx.Done():
				s.end(nil)
				return
			case b := <-msgs:
				e, err := event.Decode(b)
				if err != nil {
					s.malformed.Add(1)
					continue
				}
				select {
				case s.c <- e:
				case <-ctx.Done():
				}
			}
		}
	}()
	return s, nil
}
