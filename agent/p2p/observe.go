package p2p

import (
	"time"

	"github.com/p2pcam/p2pcam/link"
	"github.com/p2pcam/p2pcam/signal/mqttclient"
)

// Observer is what P2P mode tells its owner for status and metrics. A
// nil *Observer, or nil fields, hear nothing.
type Observer struct {
	// Broker records the broker connection's ups and downs.
	Broker *mqttclient.Status
	// Connected is called when a viewer's peer connection comes up, with
	// its network path and the time from its offer to the connection.
	// It must not block.
	Connected func(path link.Path, setup time.Duration)
}

func (o *Observer) brokerStatus() *mqttclient.Status {
	if o == nil {
		return nil
	}
	return o.Broker
}

func (o *Observer) connected(p link.Path, setup time.Duration) {
	if o != nil && o.Connected != nil {
		o.Connected(p, setup)
	}
}
