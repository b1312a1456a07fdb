package cloud

import (
	"crypto/rand"
	"errors"
	"log/slog"
	"net"
	"time"
)

// Config configures the dev cloud.
type Config struct {
	// MQTT configures the broker.
	MQTT BrokerConfig
	// TURN configures the STUN/TURN server. An empty Secret is replaced
	// by a random one, usable through Cloud.TURNCredentials.
	TURN TURNConfig
	// PublicHost is the host put in Endpoints, for when the servers
	// listen on all addresses; if empty each server's bound IP is used.
	PublicHost string
	// Logger is used by both servers unless their own Logger is set;
	// slog.Default() if nil.
	Logger *slog.Logger
}

// Endpoints are the URLs clients use to reach the dev cloud.
type Endpoints struct {
	MQTT string // mqtt://127.0.0.1:1883
	STUN string // stun:127.0.0.1:3478
	TURN string // turn:127.0.0.1:3478?transport=udp
}

// Cloud is a running dev cloud: broker and STUN/TURN server.
type Cloud struct {
	// Broker is the MQTT broker.
	Broker *Broker
	// TURN is the STUN/TURN server.
	TURN *TURN

	secret     []byte
	publicHost string
	log        *slog.Logger
}

// Start starts the broker and the STUN/TURN server. If either fails,
// whatever was started is closed again.
func Start(cfg Config) (*Cloud, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	if cfg.MQTT.Logger == nil {
		cfg.MQTT.Logger = log
	}
	if cfg.TURN.Logger == nil {
		cfg.TURN.Logger = log
	}
	if len(cfg.TURN.Secret) == 0 {
		cfg.TURN.Secret = make([]byte, 32)
		rand.Read(cfg.TURN.Secret)
	}
	b, err := NewBroker(cfg.MQTT)
	if err != nil {
		return nil, err
	}
	if err := b.Start(); err != nil {
		b.Close()
		return nil, err
	}
	t, err := NewTURN(cfg.TURN)
	if err != nil {
		b.Close()
		return nil, err
	}
	c := &Cloud{Broker: b, TURN: t, secret: cfg.TURN.Secret, publicHost: cfg.PublicHost, log: log}
	e := c.Endpoints()
	log.Info("cloud: dev cloud started", "mqtt", e.MQTT, "stun", e.STUN, "turn", e.TURN)
	return c, nil
}

// Endpoints returns the URLs of the running servers, with their real
// ports.
func (c *Cloud) Endpoints() Endpoints {
	mqtt := c.hostPort(c.Broker.Addr())
	turn := c.hostPort(c.TURN.Addr())
	return Endpoints{
		MQTT: "mqtt://" + mqtt,
		STUN: "stun:" + turn,
		TURN: "turn:" + turn + "?transport=udp",
	}
}

// hostPort is addr with PublicHost, if set, as its host.
func (c *Cloud) hostPort(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	if c.publicHost != "" {
		host = c.publicHost
	}
	return net.JoinHostPort(host, port)
}

// TURNCredentials issues credentials for this cloud's TURN server, valid
// for ttl from now.
func (c *Cloud) TURNCredentials(user string, ttl time.Duration) (username, password string) {
	return TURNCredentials(c.secret, user, ttl, time.Now())
}

// Close stops both servers.
func (c *Cloud) Close() error {
	err := errors.Join(c.TURN.Close(), c.Broker.Close())
	c.log.Info("cloud: dev cloud stopped")
	return err
}
