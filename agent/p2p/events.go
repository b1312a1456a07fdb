package p2p

import (
	"context"
	"time"

	"github.com/eclipse/paho.golang/paho"

	"github.com/p2pcam/p2pcam/signal/mqttclient"
)

// eventPublishTimeout bounds one event's publish: a broker that does not
// acknowledge within it loses the event, and the next one is tried.
const eventPublishTimeout = 2 * time.Second

// publishEvents publishes each event of the Config's Events on the
// device's events topic (QoS 1, not retained) until ctx is done or the
// channel closes. An event that cannot be published (the broker is
// down) is lost and counted, never queued: the events topic is for the
// viewers not connected, to be told soon or not at all.
func (s *Server) publishEvents(ctx context.Context, client *mqttclient.Client) {
	topic := s.cfg.Device.EventsTopic()
	for {
		select {
		case <-ctx.Done():
			return
		case e, ok := <-s.cfg.Events:
			if !ok {
				return
			}
			b, err := e.Marshal()
			if err == nil {
				pctx, cancel := context.WithTimeout(ctx, eventPublishTimeout)
				err = client.Publish(pctx, &paho.Publish{Topic: topic, Payload: b,
					Properties: &paho.PublishProperties{ContentType: "application/json"}})
				cancel()
			}
			if err != nil && ctx.Err() == nil {
				s.eventsLost.Add(1)
				s.logAbuse("", "events", "event not published on the broker", "type", e.Type, "err", err)
			}
		}
	}
}

// EventsLost returns how many events could not be published on the
// broker.
func (s *Server) EventsLost() uint64 { return s.eventsLost.Load() }
