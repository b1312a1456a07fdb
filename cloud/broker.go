package cloud

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"

	"github.com/p2pcam/p2pcam/internal/connset"
)

// DefaultMQTTListen is the broker's default address: loopback only.
const DefaultMQTTListen = "127.0.0.1:1883"

// Limits the dev broker sets on clients.
const (
	maxPacketSize    = 1 << 20 // bytes; signalling messages are a few KiB
	maxSessionExpiry = 3600    // seconds a disconnected session is kept

	// closeWait bounds Close's wait for the connections it closed to be
	// let go by mochi; each ends within milliseconds of its socket.
	closeWait = 5 * time.Second
)

// Listener names, as mochi records them on each client.
const (
	listenerTCP       = "tcp"
	listenerWebSocket = "ws"
)

// BrokerConfig configures the embedded MQTT broker.
type BrokerConfig struct {
	// Listen is the TCP address, DefaultMQTTListen if empty. Port 0 picks
	// a free port; see Broker.Addr.
	Listen string
	// Users are the accounts allowed to connect.
	Users []User
	// Shares say whose devices' events each viewer may read.
	Shares []Share
	// CredentialKey checks the short-lived passwords the token service
	// gives viewers (MQTTCredential); nil accepts account passwords only.
	CredentialKey []byte
	// Throttle is the back-off on failed logins, which the dev cloud's
	// token service shares. The zero value uses the defaults.
	Throttle LoginThrottle
	// Logger receives the broker's logs; slog.Default() if nil.
	Logger *slog.Logger
}

// Broker is the dev cloud's MQTT 5 broker: mochi-mqtt with the accounts
// and topic rules of this package (see Allowed), over TCP and WebSocket
// (ServeWebSocket). It stamps every message with its publisher's user
// name (signal.SenderProperty), so cameras can trust who sent it.
//
// The broker accepts connections itself and hands them to mochi, rather
// than registering mochi listeners: mochi v2.7.9's Server.Close can
// deadlock while a client attaches or leaves (its Clients.GetByListener
// read-locks twice, upstream issue #488). With no mochi listener that
// path is never taken, and Close ends every connection itself first.
type Broker struct {
	srv    *mqtt.Server
	hook   *accessHook
	listen string
	log    *slog.Logger
	conns  connset.Set

	mu      sync.Mutex // guards the fields below
	ln      net.Listener
	addr    net.Addr
	started bool
	closed  bool
}

// NewBroker checks cfg and builds a broker; Start makes it listen.
func NewBroker(cfg BrokerConfig) (*Broker, error) {
	users, err := userIndex(cfg.Users)
	if err != nil {
		return nil, err
	}
	listen := cfg.Listen
	if listen == "" {
		listen = DefaultMQTTListen
	}
	if _, _, err := net.SplitHostPort(listen); err != nil {
		return nil, fmt.Errorf("%w: mqtt listen address %q: %v", ErrConfig, listen, err)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	log = log.With("component", "mqtt")

	caps := mqtt.NewDefaultServerCapabilities()
	caps.MaximumPacketSize = maxPacketSize
	caps.MaximumSessionExpiryInterval = maxSessionExpiry
	caps.SharedSubAvailable = 0 // Allowed refuses $share filters
	// mochi copies a publish's properties into its PUBACK (where MQTT 5
	// allows only a reason string and user properties of the ack's own),
	// and with them a reason code of 0x01; senderHook gives every publish
	// a user property, so every PUBACK would carry both.
	caps.Compatibilities.NoInheritedPropertiesOnAck = true
	// The inline client publishes the release announcements
	// (PublishRetained); it is no account and bypasses the ACL.
	srv := mqtt.New(&mqtt.Options{Capabilities: caps, Logger: log, InlineClient: true})
	hook := &accessHook{log: log, credKey: cfg.CredentialKey, logins: newLoginGuard(cfg.Throttle, log)}
	hook.setUsers(users)
	hook.setShares(cfg.Shares)
	if err := srv.AddHook(hook, nil); err != nil {
		return nil, fmt.Errorf("cloud: mqtt hook: %w", err)
	}
	if err := srv.AddHook(new(senderHook), nil); err != nil {
		return nil, fmt.Errorf("cloud: mqtt hook: %w", err)
	}
	return &Broker{srv: srv, hook: hook, listen: listen, log: log}, nil
}

// Start binds the listen address and serves clients in the background.
func (b *Broker) Start() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.started || b.closed {
		return fmt.Errorf("cloud: mqtt broker already started or closed")
	}
	ln, err := net.Listen("tcp", b.listen)
	if err != nil {
		return fmt.Errorf("cloud: mqtt listen %s: %w", b.listen, err)
	}
	if err := b.srv.Serve(); err != nil {
		ln.Close()
		return fmt.Errorf("cloud: mqtt serve: %w", err)
	}
	b.ln, b.addr, b.started = ln, ln.Addr(), true
	go b.accept(ln)
	b.log.Info("cloud: mqtt broker listening", "addr", ln.Addr().String())
	return nil
}

// accept serves the TCP listener's connections until it is closed.
func (b *Broker) accept(ln net.Listener) {
	var delay time.Duration
	for {
		c, err := ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			// Out of file descriptors and the like: back off, as
			// net/http does, rather than spin or give up.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			b.log.Warn("cloud: mqtt accept", "err", err, "retry_in", delay)
			time.Sleep(delay)
			continue
		}
		delay = 0
		b.serveConn(c, listenerTCP)
	}
}

// serveConn hands c to mochi, which reads the client's CONNECT and serves
// it until it leaves.
func (b *Broker) serveConn(c net.Conn, listener string) {
	b.conns.Serve(c, func(c net.Conn) {
		if err := b.srv.EstablishConnection(listener, c); err != nil {
			b.log.Debug("cloud: mqtt client left", "remote", c.RemoteAddr().String(), "err", err)
		}
	})
}

// SetUsers replaces the accounts, as when the users file changes: new
// logins use the new list at once; connected clients stay connected.
func (b *Broker) SetUsers(users []User) error {
	idx, err := userIndex(users)
	if err != nil {
		return err
	}
	b.hook.setUsers(idx)
	return nil
}

// SetShares replaces the shares, as when the users file changes: which
// devices' events each viewer may read.
func (b *Broker) SetShares(shares []Share) { b.hook.setShares(shares) }

// Addr is the address the broker listens on, with the real port when
// Listen asked for port 0; nil before Start.
func (b *Broker) Addr() net.Addr {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.addr
}

// Close disconnects every client and stops the broker. It is safe to call
// more than once, and while clients connect and leave: it refuses new
// logins, stops the listener, tells connected clients the server is
// shutting down, closes every connection and waits for mochi to let go of
// them before it stops mochi (see Broker on why).
func (b *Broker) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	ln := b.ln
	b.mu.Unlock()

	b.hook.shutDown()
	if ln != nil {
		ln.Close()
	}
	for _, cl := range b.srv.Clients.GetAll() {
		if !cl.Closed() {
			_ = b.srv.DisconnectClient(cl, packets.ErrServerShuttingDown)
		}
	}
	b.conns.CloseAll()
	if !b.conns.Wait(closeWait) {
		// mochi still holds a connection: its Close would wait for it
		// forever, so leave it rather than hang the caller.
		return fmt.Errorf("cloud: mqtt close: connections still open after %v", closeWait)
	}
	if err := b.srv.Close(); err != nil {
		return fmt.Errorf("cloud: mqtt close: %w", err)
	}
	return nil
}
