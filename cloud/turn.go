package cloud

import (
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/pion/turn/v4"
)

// Defaults of TURNConfig.
const (
	DefaultTURNListen = "127.0.0.1:3478"
	DefaultRealm      = "p2pcam"
)

// TURNConfig configures the STUN/TURN server.
type TURNConfig struct {
	// Listen is the UDP address, DefaultTURNListen if empty; port 0 picks
	// a free port (see TURN.Addr).
	Listen string
	// RelayIP is the address relays are announced at, the listen IP if
	// nil. It is required when Listen is 0.0.0.0 or [::].
	RelayIP net.IP
	// Realm is the TURN realm, DefaultRealm if empty.
	Realm string
	// Secret is shared with whoever issues credentials with
	// TURNCredentials (coturn's static-auth-secret). Required.
	Secret []byte
	// MinPort and MaxPort bound the relay ports (inclusive); both zero
	// lets the system pick any free port.
	MinPort, MaxPort uint16
	// Logger receives the server's logs; slog.Default() if nil.
	Logger *slog.Logger
}

// TURN is the dev cloud's STUN/TURN server over UDP (pion/turn). It
// answers STUN binding requests from anyone and relays for clients with
// valid time-limited credentials (see TURNCredentials).
type TURN struct {
	srv       *turn.Server
	conn      net.PacketConn
	log       *slog.Logger
	realm     string
	closeOnce sync.Once
	closeErr  error
}

// NewTURN binds cfg.Listen and starts serving.
func NewTURN(cfg TURNConfig) (*TURN, error) {
	if len(cfg.Secret) == 0 {
		return nil, fmt.Errorf("%w: turn: empty secret", ErrConfig)
	}
	listen := cfg.Listen
	if listen == "" {
		listen = DefaultTURNListen
	}
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return nil, fmt.Errorf("%w: turn listen address %q: %v", ErrConfig, listen, err)
	}
	listenIP := net.ParseIP(host)
	if listenIP == nil {
		return nil, fmt.Errorf("%w: turn listen address %q: want an IP address", ErrConfig, listen)
	}
	relayIP := cfg.RelayIP
	if relayIP == nil {
		if listenIP.IsUnspecified() {
			return nil, fmt.Errorf("%w: turn listens on %s: set RelayIP to the address peers reach", ErrConfig, host)
		}
		relayIP = listenIP
	}
	gen, err := relayGenerator(relayIP, host, cfg.MinPort, cfg.MaxPort)
	if err != nil {
		return nil, err
	}
	realm := cfg.Realm
	if realm == "" {
		realm = DefaultRealm
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	log = log.With("component", "turn")

	conn, err := net.ListenPacket("udp", listen)
	if err != nil {
		return nil, fmt.Errorf("cloud: turn listen %s: %w", listen, err)
	}
	srv, err := turn.NewServer(turn.ServerConfig{
		Realm:         realm,
		AuthHandler:   restAuthHandler(cfg.Secret, realm, time.Now, log),
		EventHandler:  turnEvents(log),
		LoggerFactory: pionLogs{log},
		PacketConnConfigs: []turn.PacketConnConfig{{
			PacketConn:            conn,
			RelayAddressGenerator: gen,
		}},
	})
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("cloud: turn server: %w", err)
	}
	log.Info("cloud: turn server listening", "addr", conn.LocalAddr().String(), "relay_ip", relayIP.String(),
		"realm", realm, "min_port", cfg.MinPort, "max_port", cfg.MaxPort)
	return &TURN{srv: srv, conn: conn, log: log, realm: realm}, nil
}

// relayGenerator makes relays on host, announced as relayIP, within
// [minPort, maxPort] if those are set.
func relayGenerator(relayIP net.IP, host string, minPort, maxPort uint16) (turn.RelayAddressGenerator, error) {
	switch {
	case minPort == 0 && maxPort == 0:
		return &turn.RelayAddressGeneratorStatic{RelayAddress: relayIP, Address: host}, nil
	case minPort == 0 || maxPort < minPort:
		return nil, fmt.Errorf("%w: turn relay ports %d-%d: want 0 < MinPort <= MaxPort", ErrConfig, minPort, maxPort)
	}
	return &turn.RelayAddressGeneratorPortRange{RelayAddress: relayIP, Address: host, MinPort: minPort, MaxPort: maxPort}, nil
}

// turnEvents logs allocations and failed password checks.
func turnEvents(log *slog.Logger) turn.EventHandler {
	return turn.EventHandler{
		OnAuth: func(src, _ net.Addr, _, username, _, method string, verdict bool) {
			if !verdict {
				log.Warn("cloud: turn auth refused", "user", username, "remote", src.String(), "method", method,
					"reason", "wrong password or realm")
			}
		},
		OnAllocationCreated: func(src, _ net.Addr, protocol, username, _ string, relay net.Addr, _ int) {
			log.Info("cloud: turn allocation", "user", username, "remote", src.String(), "relay", relay.String(), "protocol", protocol)
		},
		OnAllocationDeleted: func(src, _ net.Addr, protocol, username, _ string) {
			log.Info("cloud: turn allocation ended", "user", username, "remote", src.String(), "protocol", protocol)
		},
	}
}

// Addr is the UDP address the server listens on.
func (t *TURN) Addr() net.Addr { return t.conn.LocalAddr() }

// Realm is the server's TURN realm.
func (t *TURN) Realm() string { return t.realm }

// Close stops the server and its relays. It is safe to call more than
// once.
func (t *TURN) Close() error {
	t.closeOnce.Do(func() {
		if err := t.srv.Close(); err != nil {
			t.closeErr = fmt.Errorf("cloud: turn close: %w", err)
		}
	})
	return t.closeErr
}
