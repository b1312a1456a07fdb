package cloud

import (
	"fmt"
	"log/slog"
	"net"
	"sync"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/listeners"
)

// DefaultMQTTListen is the broker's default address: loopback only.
const DefaultMQTTListen = "127.0.0.1:1883"

// Limits the dev broker sets on clients.
const (
	maxPacketSize    = 1 << 20 // bytes; signalling messages are a few KiB
	maxSessionExpiry = 3600    // seconds a disconnected session is kept
)

// BrokerConfig configures the embedded MQTT broker.
type BrokerConfig struct {
	// Listen is the TCP address, DefaultMQTTListen if empty. Port 0 picks
	// a free port; see Broker.Addr.
	Listen string
	// Users are the accounts allowed to connect.
	Users []User
	// Logger receives the broker's logs; slog.Default() if nil.
	Logger *slog.Logger
}

// Broker is the dev cloud's MQTT 5 broker: mochi-mqtt with the accounts
// and topic rules of this package (see Allowed).
type Broker struct {
	srv    *mqtt.Server
	listen string
	log    *slog.Logger

	mu      sync.Mutex
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
	srv := mqtt.New(&mqtt.Options{Capabilities: caps, Logger: log})
	if err := srv.AddHook(&accessHook{users: users, log: log}, nil); err != nil {
		return nil, fmt.Errorf("cloud: mqtt hook: %w", err)
	}
	return &Broker{srv: srv, listen: listen, log: log}, nil
}

// Start binds the listen address and serves clients in the background.
func (b *Broker) Start() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.started || b.closed {
		return fmt.Errorf("cloud: mqtt broker already started or closed")
	}
	tcp := listeners.NewTCP(listeners.Config{Type: listeners.TypeTCP, ID: "tcp", Address: b.listen})
	if err := b.srv.AddListener(tcp); err != nil {
		return fmt.Errorf("cloud: mqtt listen %s: %w", b.listen, err)
	}
	// tcp.Address is now the bound "IP:port": resolving it parses, no DNS.
	addr, err := net.ResolveTCPAddr("tcp", tcp.Address())
	if err != nil {
		tcp.Close(func(string) {})
		return fmt.Errorf("cloud: mqtt listen %s: %w", b.listen, err)
	}
	if err := b.srv.Serve(); err != nil {
		tcp.Close(func(string) {})
		return fmt.Errorf("cloud: mqtt serve: %w", err)
	}
	b.addr, b.started = addr, true
	b.log.Info("cloud: mqtt broker listening", "addr", addr.String())
	return nil
}

// Addr is the address the broker listens on, with the real port when
// Listen asked for port 0; nil before Start.
func (b *Broker) Addr() net.Addr {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.addr
}

// Close disconnects every client and stops the broker. It is safe to call
// more than once.
func (b *Broker) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil
	}
	b.closed = true
	if err := b.srv.Close(); err != nil {
		return fmt.Errorf("cloud: mqtt close: %w", err)
	}
	return nil
}
