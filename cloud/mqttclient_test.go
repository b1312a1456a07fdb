package cloud

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eclipse/paho.golang/paho"
	"github.com/gorilla/websocket"
)

// Bounds of the MQTT tests.
const (
	mqttTimeout   = 5 * time.Second        // connect, subscribe, publish, expected delivery
	quietInterval = 300 * time.Millisecond // wait that proves a message is not delivered
)

// mqttClient is a paho MQTT 5 test client collecting what it receives.
type mqttClient struct {
	c    *paho.Client
	msgs chan *paho.Publish
}

// mqttLogin are the CONNECT fields a test varies.
type mqttLogin struct {
	user, clientID, password string
	will                     *paho.WillMessage
}

// dialTransport opens the connection MQTT runs on: TCP to host:port, or
// a WebSocket (subprotocol mqtt) to a ws:// URL.
func dialTransport(t testing.TB, addr string) net.Conn {
	t.Helper()
	if !strings.HasPrefix(addr, "ws://") {
		conn, err := net.DialTimeout("tcp", addr, mqttTimeout)
		if err != nil {
			t.Fatalf("dial %s: %v", addr, err)
		}
		return conn
	}
	d := websocket.Dialer{Subprotocols: []string{wsSubprotocol}, HandshakeTimeout: mqttTimeout}
	ws, resp, err := d.Dial(addr, nil)
	if err != nil {
		t.Fatalf("dial %s: %v (%v)", addr, err, resp)
	}
	if ws.Subprotocol() != wsSubprotocol {
		t.Fatalf("dial %s: subprotocol %q, want %q", addr, ws.Subprotocol(), wsSubprotocol)
	}
	return &packetConn{Conn: &wsConn{ws: ws}}
}

// packetConn sends each MQTT packet in one write, however the client
// splits it: paho writes a packet's header and body separately, and
// mosquitto 2.0.11's WebSocket listener loses a packet split across
// WebSocket messages now and then (the embedded broker does not).
type packetConn struct {
	net.Conn
	mu  sync.Mutex
	buf []byte
}

func (c *packetConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf = append(c.buf, p...)
	for {
		n := mqttPacketLen(c.buf)
		if n == 0 || n > len(c.buf) {
			return len(p), nil
		}
		if _, err := c.Conn.Write(c.buf[:n]); err != nil {
			return 0, err
		}
		c.buf = c.buf[n:]
	}
}

// mqttPacketLen is the length of the MQTT packet at the start of b: its
// type byte, the variable-length remaining length and the rest; 0 until
// the length is complete.
func mqttPacketLen(b []byte) int {
	rem, shift := 0, 0
	for i := 1; i < len(b) && i <= 4; i++ {
		rem |= int(b[i]&0x7f) << shift
		if b[i]&0x80 == 0 {
			return i + 1 + rem
		}
		shift += 7
	}
	return 0
}

// dialMQTT connects to addr (see dialTransport). On success the client is disconnected when
// the test ends; on refusal it returns the CONNACK (if any) and the error.
func dialMQTT(t testing.TB, addr string, l mqttLogin) (*mqttClient, *paho.Connack, error) {
	t.Helper()
	conn := dialTransport(t, addr)
	mc := &mqttClient{msgs: make(chan *paho.Publish, 64)}
	mc.c = paho.NewClient(paho.ClientConfig{
		Conn:          conn,
		PacketTimeout: mqttTimeout,
		OnPublishReceived: []func(paho.PublishReceived) (bool, error){
			func(pr paho.PublishReceived) (bool, error) {
				select {
				case mc.msgs <- pr.Packet:
				default: // a test never expects this many
				}
				return true, nil
			},
		},
	})
	ctx, cancel := context.WithTimeout(context.Background(), mqttTimeout)
	defer cancel()
	ca, err := mc.c.Connect(ctx, &paho.Connect{
		ClientID:     l.clientID,
		Username:     l.user,
		UsernameFlag: l.user != "",
		Password:     []byte(l.password),
		PasswordFlag: l.password != "",
		KeepAlive:    30,
		CleanStart:   true,
		WillMessage:  l.will,
	})
	if err != nil {
		return nil, ca, err
	}
	t.Cleanup(func() {
		mc.c.Disconnect(&paho.Disconnect{ReasonCode: 0})
		select {
		case <-mc.c.Done():
		case <-time.After(mqttTimeout):
			t.Errorf("mqtt client %s did not shut down", l.clientID)
		}
	})
	return mc, ca, nil
}

// mustDial connects as account a with its client id, or fails.
func mustDial(t testing.TB, addr string, a testAccount) *mqttClient {
	t.Helper()
	mc, ca, err := dialMQTT(t, addr, mqttLogin{user: a.name, clientID: a.clientID(), password: a.password})
	if err != nil {
		t.Fatalf("connect as %s: %v (connack %+v)", a.name, err, ca)
	}
	return mc
}

// subscribe subscribes at QoS 1 and returns the SUBACK reason code.
func (mc *mqttClient) subscribe(t testing.TB, filter string) byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), mqttTimeout)
	defer cancel()
	sa, err := mc.c.Subscribe(ctx, &paho.Subscribe{Subscriptions: []paho.SubscribeOptions{{Topic: filter, QoS: 1}}})
	if sa == nil {
		t.Fatalf("subscribe %q: %v", filter, err)
	}
	if len(sa.Reasons) != 1 {
		t.Fatalf("subscribe %q: %d reason codes", filter, len(sa.Reasons))
	}
	return sa.Reasons[0]
}

// publish publishes at QoS 1 and returns the PUBACK reason code.
func (mc *mqttClient) publish(t testing.TB, topic, payload string, retain bool) byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), mqttTimeout)
	defer cancel()
	pr, err := mc.c.Publish(ctx, &paho.Publish{Topic: topic, QoS: 1, Retain: retain, Payload: []byte(payload)})
	if pr == nil {
		t.Fatalf("publish %q: %v", topic, err)
	}
	return pr.ReasonCode
}

// await waits up to d for a message with payload, ignoring others.
func (mc *mqttClient) await(payload string, d time.Duration) (*paho.Publish, bool) {
	timer := time.NewTimer(d)
	defer timer.Stop()
	for {
		select {
		case m := <-mc.msgs:
			if string(m.Payload) == payload {
				return m, true
			}
		case <-timer.C:
			return nil, false
		}
	}
}

// anyWithin waits up to d for any message.
func (mc *mqttClient) anyWithin(d time.Duration) (*paho.Publish, bool) {
	select {
	case m := <-mc.msgs:
		return m, true
	case <-time.After(d):
		return nil, false
	}
}
