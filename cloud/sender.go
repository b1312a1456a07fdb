package cloud

import (
	"bytes"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"

	"github.com/p2pcam/p2pcam/signal"
)

// senderHook stamps every message a client publishes with its user name
// in the signal.SenderProperty user property, dropping any the client
// put there itself: a subscriber (the camera) learns who sent a message
// from the broker, not from the sender.
type senderHook struct {
	mqtt.HookBase
}

// ID names the hook.
func (h *senderHook) ID() string { return "p2pcam-sender" }

// Provides tells mochi which events the hook handles.
func (h *senderHook) Provides(b byte) bool { return b == mqtt.OnPublish }

// OnPublish replaces the packet's sender property with the client's user
// name. The property list is copied, not changed in place.
func (h *senderHook) OnPublish(cl *mqtt.Client, pk packets.Packet) (packets.Packet, error) {
	user := make([]packets.UserProperty, 0, len(pk.Properties.User)+1)
	for _, u := range pk.Properties.User {
		if u.Key != signal.SenderProperty {
			user = append(user, u)
		}
	}
	pk.Properties.User = append(user, packets.UserProperty{Key: signal.SenderProperty, Val: string(bytes.Clone(cl.Properties.Username))})
	return pk, nil
}
