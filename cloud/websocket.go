package cloud

import (
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// wsSubprotocol is the WebSocket subprotocol of MQTT (MQTT 5.0 section
// 6.0); browsers' MQTT clients ask for it.
const wsSubprotocol = "mqtt"

// wsUpgrader accepts any origin: an MQTT connection carries its own
// credentials in CONNECT, so a page on another origin gains nothing that
// the account's password would not give it anyway.
var wsUpgrader = websocket.Upgrader{
	Subprotocols:    []string{wsSubprotocol},
	CheckOrigin:     func(*http.Request) bool { return true },
	ReadBufferSize:  4 << 10,
	WriteBufferSize: 4 << 10,
}

// ServeWebSocket serves MQTT over WebSocket (MQTT 5.0 section 6): the
// same broker, accounts and topic rules as its TCP listener, for
// browsers. Mount it on an HTTP server, as HTTPHandler does at /mqtt.
func (b *Broker) ServeWebSocket(w http.ResponseWriter, r *http.Request) {
	if !websocket.IsWebSocketUpgrade(r) {
		http.Error(w, "this is MQTT over WebSocket: connect with an MQTT client (subprotocol \"mqtt\")", http.StatusUpgradeRequired)
		return
	}
	ws, err := wsUpgrader.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade has answered with the reason
	}
	ws.SetReadLimit(maxPacketSize + 16)
	b.serveConn(&wsConn{ws: ws}, listenerWebSocket)
}

// wsConn is a WebSocket as the byte stream mochi reads MQTT from: binary
// messages joined end to end (an MQTT packet may span messages, and a
// message hold several packets).
type wsConn struct {
	ws *websocket.Conn
	r  io.Reader // the message being read, nil between messages

	wmu sync.Mutex // one writer at a time, and the write deadline, as gorilla requires
}

func (c *wsConn) Read(p []byte) (int, error) {
	for {
		if c.r == nil {
			typ, r, err := c.ws.NextReader()
			if err != nil {
				return 0, err
			}
			if typ != websocket.BinaryMessage {
				return 0, errors.New("cloud: mqtt over websocket takes binary messages only")
			}
			c.r = r
		}
		n, err := c.r.Read(p)
		if errors.Is(err, io.EOF) {
			c.r = nil
			if n == 0 {
				continue
			}
			err = nil
		}
		return n, err
	}
}

func (c *wsConn) Write(p []byte) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.ws.WriteMessage(websocket.BinaryMessage, p); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (c *wsConn) Close() error                      { return c.ws.Close() }
func (c *wsConn) LocalAddr() net.Addr               { return c.ws.LocalAddr() }
func (c *wsConn) RemoteAddr() net.Addr              { return c.ws.RemoteAddr() }
func (c *wsConn) SetReadDeadline(t time.Time) error { return c.ws.SetReadDeadline(t) }

func (c *wsConn) SetWriteDeadline(t time.Time) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.ws.SetWriteDeadline(t)
}

func (c *wsConn) SetDeadline(t time.Time) error {
	return errors.Join(c.SetReadDeadline(t), c.SetWriteDeadline(t))
}
