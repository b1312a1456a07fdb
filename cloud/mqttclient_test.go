package cloud

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
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
	from                     string // the local IP to connect from (TCP only); any if empty
}

// dialTransport opens the connection MQTT runs on: TCP to host:port, or
// a WebSocket (subprotocol mqtt) to a ws:// URL; over TCP from the local
// IP from, if set.
func dialTransport(t testing.TB, addr, from string) net.Conn {
	t.Helper()
	if !strings.HasPrefix(addr, "ws://") {
		d := net.Dialer{Timeout: mqttTimeout}
		if from != "" {
			d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(from)}
		}
		conn, err := d.Dial("tcp", addr)
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
	return wsClientConn(t, ws)
}

// wsClientConn is a connection for paho that carries MQTT over ws, one
// packet per WebSocket message. paho writes a packet as several buffers
// (net.Buffers) and pings from another goroutine: on a socket the
// buffers go out in one writev, atomically, but on a plain io.Writer
// they go one Write at a time, and a ping can land inside a packet. So
// paho gets one end of a socket pair, and a pump moves whole packets
// between the other end and the WebSocket.
func wsClientConn(t testing.TB, ws *websocket.Conn) net.Conn {
	t.Helper()
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	ends := make([]net.Conn, 2)
	for i, fd := range fds {
		f := os.NewFile(uintptr(fd), "mqtt-ws")
		ends[i], err = net.FileConn(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	client, pump := ends[0], ends[1]
	wc := &wsConn{ws: ws}
	stop := func() { pump.Close(); wc.Close() }
	go func() { // WebSocket -> client
		defer stop()
		io.Copy(pump, wc)
	}()
	go func() { // client -> WebSocket, a message a packet
		defer stop()
		r := bufio.NewReader(pump)
		for {
			pkt, err := readMQTTPacket(r)
			if err != nil {
				return
			}
			if _, err := wc.Write(pkt); err != nil {
				return
			}
		}
	}()
	return client
}

// readMQTTPacket reads one MQTT packet: its type byte, the variable-length
// remaining length and the rest.
func readMQTTPacket(r *bufio.Reader) ([]byte, error) {
	pkt := make([]byte, 0, 64)
	b, err := r.ReadByte()
	if err != nil {
		return nil, err
	}
	pkt = append(pkt, b)
	rem, shift := 0, 0
	for i := 0; ; i++ {
		b, err := r.ReadByte()
		if err != nil {
			return nil, err
		}
		if i == 4 {
			return nil, errors.New("mqtt: remaining length over 4 bytes")
		}
		pkt = append(pkt, b)
		rem |= int(b&0x7f) << shift
		if b&0x80 == 0 {
			break
		}
		shift += 7
	}
	pkt = append(pkt, make([]byte, rem)...)
	_, err = io.ReadFull(r, pkt[len(pkt)-rem:])
	return pkt, err
}

// dialMQTT connects to addr (see dialTransport). On success the client is disconnected when
// the test ends; on refusal it returns the CONNACK (if any) and the error.
func dialMQTT(t testing.TB, addr string, l mqttLogin) (*mqttClient, *paho.Connack, error) {
	t.Helper()
	conn := dialTransport(t, addr, l.from)
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
