package cloud

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/internal/brokertest"
)

// startCloud starts a dev cloud on free loopback ports with the test
// accounts; it is closed when the test ends.
func startCloud(t testing.TB, cfg Config) *Cloud {
	t.Helper()
	if cfg.MQTT.Listen == "" {
		cfg.MQTT.Listen = "127.0.0.1:0"
	}
	if cfg.MQTT.Users == nil {
		cfg.MQTT.Users = testUsers(t, accounts...)
	}
	if cfg.TURN.Listen == "" {
		cfg.TURN.Listen = "127.0.0.1:0"
	}
	if cfg.Logger == nil {
		cfg.Logger = quietLogger()
	}
	c, err := Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestCloudEndpoints(t *testing.T) {
	tests := []struct {
		name, publicHost, wantHost string
	}{
		{"bound address", "", "127.0.0.1"},
		{"public host", "cloud.example", "cloud.example"},
		{"public IPv6 host", "::1", "[::1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := startCloud(t, Config{PublicHost: tt.publicHost})
			e := c.Endpoints()
			mqttPort := c.Broker.Addr().(*net.TCPAddr).Port
			turnPort := c.TURN.Addr().(*net.UDPAddr).Port
			want := Endpoints{
				MQTT: fmt.Sprintf("mqtt://%s:%d", tt.wantHost, mqttPort),
				STUN: fmt.Sprintf("stun:%s:%d", tt.wantHost, turnPort),
				TURN: fmt.Sprintf("turn:%s:%d?transport=udp", tt.wantHost, turnPort),
			}
			if e != want {
				t.Errorf("Endpoints = %+v, want %+v", e, want)
			}
		})
	}
}

func TestCloudServes(t *testing.T) {
	var logs logBuffer
	c := startCloud(t, Config{Logger: logs.logger()})
	e := c.Endpoints()

	// MQTT: a viewer reaches a device through the broker at the URL.
	u, err := url.Parse(e.MQTT)
	if err != nil {
		t.Fatal(err)
	}
	dev := mustDial(t, u.Host, accCam1)
	if rc := dev.subscribe(t, "p2pcam/acme/cam1/rpc"); rc != rcGrantedQoS1 {
		t.Fatalf("SUBACK 0x%02x", rc)
	}
	viewer := mustDial(t, u.Host, accAlice)
	if rc := viewer.publish(t, "p2pcam/acme/cam1/rpc", "offer", false); rc != rcSuccess {
		t.Fatalf("PUBACK 0x%02x", rc)
	}
	if _, ok := dev.await("offer", mqttTimeout); !ok {
		t.Fatal("offer not delivered")
	}

	// TURN: the cloud's own credentials (random secret) allocate a relay.
	turnAddr := strings.TrimPrefix(strings.TrimSuffix(e.TURN, "?transport=udp"), "turn:")
	server, err := net.ResolveUDPAddr("udp4", turnAddr)
	if err != nil {
		t.Fatal(err)
	}
	user, pass := c.TURNCredentials("alice", time.Minute)
	tc, _ := newTURNClient(t, server, user, pass)
	relay, err := tc.Allocate()
	if err != nil {
		t.Fatalf("Allocate with the cloud's credentials: %v", err)
	}
	defer relay.Close()
	relayRoundTrip(t, relay)

	if !logHasLine(logs.String(), `msg="cloud: dev cloud started"`, "mqtt="+e.MQTT, "stun="+e.STUN) {
		t.Errorf("no start log line with the endpoints:\n%s", logs.String())
	}
}

func TestCloudStartFailureClosesBroker(t *testing.T) {
	mqttPort := brokertest.FreeTCPPort(t)
	_, err := Start(Config{
		MQTT:   BrokerConfig{Listen: fmt.Sprintf("127.0.0.1:%d", mqttPort), Users: testUsers(t, accAlice)},
		TURN:   TURNConfig{Listen: "0.0.0.0:0"}, // no relay IP: refused after the broker started
		Logger: quietLogger(),
	})
	if err == nil {
		t.Fatal("Start succeeded")
	}
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", mqttPort))
	if err != nil {
		t.Fatalf("broker still listening after a failed Start: %v", err)
	}
	l.Close()
}

func TestCloudStartErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"invalid user", Config{MQTT: BrokerConfig{Listen: "127.0.0.1:0", Users: []User{{Name: "x", Role: RoleDevice}}},
			TURN: TURNConfig{Listen: "127.0.0.1:0"}}},
		{"bad mqtt address", Config{MQTT: BrokerConfig{Listen: "nowhere"}, TURN: TURNConfig{Listen: "127.0.0.1:0"}}},
		{"bad turn address", Config{MQTT: BrokerConfig{Listen: "127.0.0.1:0"}, TURN: TURNConfig{Listen: "nowhere"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Logger = quietLogger()
			c, err := Start(tt.cfg)
			if err == nil {
				c.Close()
				t.Fatal("Start succeeded")
			}
			if !strings.HasPrefix(err.Error(), "cloud: ") {
				t.Errorf("error %q lacks the cloud: prefix", err)
			}
		})
	}
}
