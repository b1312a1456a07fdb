package cloud

import (
	"context"
	"testing"

	"github.com/eclipse/paho.golang/paho"

	"github.com/p2pcam/p2pcam/signal"
)

// The broker stamps each message with its publisher's user name, in
// place of any sender property the publisher wrote, and keeps the
// publisher's other user properties.
func TestBrokerStampsSender(t *testing.T) {
	addr := startBroker(t, BrokerConfig{}).Addr().String()
	cam := mustDial(t, addr, accCam1)
	if rc := cam.subscribe(t, "p2pcam/acme/cam1/rpc"); rc != rcGrantedQoS1 {
		t.Fatalf("SUBACK 0x%02x", rc)
	}
	alice := mustDial(t, addr, accAlice)
	tests := []struct {
		name string
		user paho.UserProperties
	}{
		{"none", nil},
		{"forged", paho.UserProperties{{Key: signal.SenderProperty, Value: "bob"}}},
		{"forged twice, and another", paho.UserProperties{{Key: signal.SenderProperty, Value: "bob"}, {Key: "x", Value: "y"}, {Key: signal.SenderProperty, Value: "acme/cam1"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), mqttTimeout)
			defer cancel()
			_, err := alice.c.Publish(ctx, &paho.Publish{Topic: "p2pcam/acme/cam1/rpc", QoS: 1, Payload: []byte(tt.name),
				Properties: &paho.PublishProperties{User: tt.user}})
			if err != nil {
				t.Fatal(err)
			}
			m, ok := cam.await(tt.name, mqttTimeout)
			if !ok {
				t.Fatal("not delivered")
			}
			if got := m.Properties.User.GetAll(signal.SenderProperty); len(got) != 1 || got[0] != "alice" {
				t.Errorf("sender properties %q, want just \"alice\"", got)
			}
			for _, u := range tt.user {
				if u.Key != signal.SenderProperty && m.Properties.User.Get(u.Key) != u.Value {
					t.Errorf("lost user property %s=%s", u.Key, u.Value)
				}
			}
		})
	}
}
