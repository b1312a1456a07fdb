package cloud

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync/atomic"
	"time"

	"github.com/p2pcam/p2pcam/cloud/tokenapi"
	"github.com/p2pcam/p2pcam/internal/cors"
)

// Config configures the dev cloud.
type Config struct {
	// Directory is the accounts and shares. Its users are the broker's
	// unless MQTT.Users is set.
	Directory Directory
	// MQTT configures the broker.
	MQTT BrokerConfig
	// TURN configures the STUN/TURN server. An empty Secret is replaced
	// by a random one, usable through Cloud.TURNCredentials.
	TURN TURNConfig
	// PublicHost is the host put in Endpoints, for when the servers
	// listen on all addresses; if empty each server's bound IP is used.
	PublicHost string
	// Issuer signs the token service's viewer tokens (see Handler);
	// cameras list its public key in auth.trusted_keys. Nil turns the
	// token service off.
	Issuer ed25519.PrivateKey
	// RelaySecret is the master secret of relay play tickets: each
	// camera's relay.secret is relay.DeviceSecret(RelaySecret, DEVICE),
	// and the on_play callback (Handler) checks tickets with it. Nil
	// refuses every relay play.
	RelaySecret []byte
	// TokenTTL is how long the token service's tokens last. It defaults
	// to DefaultTokenTTL.
	TokenTTL time.Duration
	// SessionTTL is how long a remembered browser sign-in lasts (a login
	// with "remember"). It defaults to DefaultSessionTTL; negative turns
	// remembering off.
	SessionTTL time.Duration
	// AllowedOrigins are the origins of web pages that may call the HTTP
	// API from another origin ("*" for any: the API authenticates every
	// call itself). Empty allows same-origin pages only.
	AllowedOrigins []string
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

	secret      []byte
	credKey     []byte // MQTT session credentials
	publicHost  string
	issuer      ed25519.PrivateKey
	relaySecret []byte
	tokenTTL    time.Duration
	sessions    *sessions // remembered browser sign-ins
	cors        cors.Policy
	log         *slog.Logger
	dir         atomic.Pointer[Directory]
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
	if err := cfg.Directory.Validate(); err != nil {
		return nil, err
	}
	if cfg.MQTT.Users == nil {
		cfg.MQTT.Users = cfg.Directory.Users
	}
	if cfg.Directory.Users == nil {
		cfg.Directory.Users = cfg.MQTT.Users
	}
	if cfg.MQTT.Shares == nil {
		cfg.MQTT.Shares = cfg.Directory.Shares
	}
	credKey := deriveKey(cfg.TURN.Secret, "mqtt session credentials")
	cfg.MQTT.CredentialKey = credKey
	policy, err := cors.New(cfg.AllowedOrigins)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	if cfg.TokenTTL == 0 {
		cfg.TokenTTL = DefaultTokenTTL
	}
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = DefaultSessionTTL
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
	c := &Cloud{Broker: b, TURN: t, secret: cfg.TURN.Secret, credKey: credKey, publicHost: cfg.PublicHost,
		issuer: cfg.Issuer, relaySecret: cfg.RelaySecret, tokenTTL: cfg.TokenTTL, sessions: newSessions(cfg.SessionTTL), cors: policy, log: log}
	c.dir.Store(&cfg.Directory)
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

// Directory returns the accounts and shares in force.
func (c *Cloud) Directory() Directory { return *c.dir.Load() }

// SetDirectory replaces the accounts and shares, as when the users file
// changes: the broker and the token service use them from the next login.
func (c *Cloud) SetDirectory(d Directory) error {
	if err := d.Validate(); err != nil {
		return err
	}
	if err := c.Broker.SetUsers(d.Users); err != nil {
		return err
	}
	c.Broker.SetShares(d.Shares)
	c.dir.Store(&d)
	return nil
}

// iceServers are the STUN and TURN servers for a viewer, with TURN
// credentials valid for ttl.
func (c *Cloud) iceServers(user string, ttl time.Duration) []tokenapi.ICEServer {
	e := c.Endpoints()
	u, p := c.TURNCredentials(user, ttl)
	return []tokenapi.ICEServer{{URLs: []string{e.STUN}}, {URLs: []string{e.TURN}, Username: u, Credential: p}}
}

// Close stops both servers.
func (c *Cloud) Close() error {
	err := errors.Join(c.TURN.Close(), c.Broker.Close())
	c.log.Info("cloud: dev cloud stopped")
	return err
}
