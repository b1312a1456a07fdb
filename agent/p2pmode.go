package agent

import (
	"context"
	"fmt"

	"github.com/pion/webrtc/v4"

	"github.com/p2pcam/p2pcam/agent/p2p"
	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/event"
	"github.com/p2pcam/p2pcam/link"
	"github.com/p2pcam/p2pcam/protocol"
	"github.com/p2pcam/p2pcam/signal"
)

// newP2P builds P2P mode from the config: the device key (made on first
// start), the broker credentials and the ICE servers.
func (a *Agent) newP2P() (*p2p.Server, error) {
	key, created, err := auth.LoadOrCreateDeviceKey(a.cfg.Auth.DeviceKey)
	if err != nil {
		return nil, err
	}
	if created {
		a.log.Info("made a new device key", "path", a.cfg.Auth.DeviceKey)
	}
	password, err := a.cfg.P2P.password()
	if err != nil {
		return nil, err
	}
	id, _ := signal.ParseDeviceID(a.cfg.Device) // validated by withDefaults
	var events <-chan event.Event
	if !a.cfg.Events.NoMQTT {
		sub, err := a.events.Subscribe()
		if err != nil {
			return nil, fmt.Errorf("agent: events to MQTT: %w", err)
		}
		events = sub.C() // closed with the bus at the end of Run
	}
	var ice []webrtc.ICEServer
	for _, s := range a.cfg.P2P.ICEServers {
		ice = append(ice, webrtc.ICEServer{URLs: s.URLs, Username: s.Username, Credential: s.Credential})
	}
	var onRelease func([]byte)
	if a.updater != nil {
		onRelease = a.onRelease
	}
	return p2p.New(p2p.Config{
		Device:        id,
		Broker:        a.cfg.P2P.Broker,
		Username:      a.cfg.P2P.Username,
		Password:      password,
		ICEServers:    ice,
		BrokerVouches: a.cfg.P2P.BrokerVouches,
		Verifier:      a.verifier,
		DeviceKey:     key,
		Handle: func(ctx context.Context, v protocol.Viewer, line string, w p2p.Responder) {
			a.Handle(ctx, v, line, w)
		},
		// A viewer may hold a second session while it reconnects; the
		// requests are still bounded by max_viewers. Half may be still
		// connecting (p2p's default), so a flood of offers that never
		// connect cannot take every place.
		MaxSessions: 2 * a.cfg.MaxViewers,
		VideoSPS:    a.videoSPS,
		Link:        a.linkOptions(),
		Agent:       "p2pcamd/" + a.cfg.Version,
		OnRelease:   onRelease,
		Logger:      a.log,
		Observe:     &p2p.Observer{Broker: &a.broker, Connected: a.metrics.connected},
		Events:      events,
	})
}

// linkOptions are the WebRTC settings: the config's, tuned by the file.
func (a *Agent) linkOptions() link.Options {
	o := a.cfg.Link
	o.SCTPRTOMax = a.cfg.P2P.SCTPRTOMax
	return o
}
