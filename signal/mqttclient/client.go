// Package mqttclient keeps an MQTT 5 connection up for a camera or a
// viewer: it connects with credentials, reconnects with exponential
// backoff and jitter, re-runs the caller's setup (subscriptions, retained
// info) after every reconnect, and hands received messages to a handler.
//
// It runs paho's Client on a TCP or TLS connection of its own rather than
// paho's autopaho, which would also link WebSocket and an HTTP client
// (about 200 kB of the camera binary, docs/size.md) for broker URLs that
// p2pcam does not accept.
package mqttclient

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"sync"
	"time"

	"github.com/eclipse/paho.golang/packets"
	"github.com/eclipse/paho.golang/paho"
)

// Connection settings: the keep-alive the broker enforces (it drops a
// camera silent for 1.5 times it), and how long one attempt (TCP, TLS,
// CONNECT/CONNACK) may take before it counts as failed.
const (
	keepAlive      = 10 // seconds
	connectTimeout = 5 * time.Second
)

// Config configures a connection.
type Config struct {
	URL      string // mqtt://host:port or mqtts://host:port
	ClientID string
	Username string
	Password string
	// Will, if set, is published by the broker when the connection drops.
	Will *paho.WillMessage
	// OnUp runs after every successful connection, in its own goroutine;
	// it subscribes and publishes what a new session needs.
	OnUp func(ctx context.Context, c *Client)
	// OnMessage receives every message. It must not block for long.
	OnMessage func(*paho.Publish)
	// FailFast makes Connect return the first attempt's error (a broker
	// that cannot be reached, say) rather than try again until its
	// context ends: for a command-line viewer, which should say what is
	// wrong at once. A connection that was up still reconnects.
	FailFast bool
	// Status, if set, records the connection's ups and downs.
	Status *Status
	Logger *slog.Logger
}

// Client is a kept-up connection.
type Client struct {
	cfg    Config
	host   string // host:port to dial
	tls    bool
	log    *slog.Logger
	cancel context.CancelFunc
	done   chan struct{} // closed when run returns

	mu      sync.Mutex   // guards cli, closed and lastErr
	cli     *paho.Client // nil while the connection is down
	closed  bool
	lastErr error // the latest failed attempt's, until a connection is up
}

// lastError is why the latest connection attempt failed, if it did.
func (c *Client) lastError() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lastErr
}

// stableAfter is how long a connection must have lasted for the next
// reconnect to start again from the shortest backoff: one that drops at
// once (a client id taken over, a broker that accepts then closes) backs
// off further each time.
const stableAfter = keepAlive * time.Second

// Connect connects and waits for the first connection. It fails fast when
// the broker refuses the credentials (or on any failure, with
// Config.FailFast); otherwise it keeps trying until ctx is done, and then
// its error says why the last attempt failed. The connection stays up
// until Close.
func Connect(ctx context.Context, cfg Config) (*Client, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("mqttclient: broker URL: %w", err)
	}
	c := &Client{cfg: cfg, host: u.Host, log: cfg.Logger, done: make(chan struct{})}
	switch u.Scheme {
	case "mqtt":
	case "mqtts":
		c.tls = true
	default:
		return nil, fmt.Errorf("mqttclient: broker URL %q: want mqtt:// or mqtts://", cfg.URL)
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	runCtx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	up := make(chan error, 1)
	go c.run(runCtx, up)
	select {
	case err = <-up:
	case <-ctx.Done():
		err = ctx.Err()
		if last := c.lastError(); last != nil {
			err = fmt.Errorf("%w (last attempt: %v)", err, last)
		}
	}
	if err != nil {
		cancel()
		<-c.done
		return nil, fmt.Errorf("mqttclient: connect to %s: %w", cfg.URL, err)
	}
	return c, nil
}

// run connects, waits for the connection to drop and connects again,
// until ctx is done. It sends the first connection's outcome on up: nil,
// or an ErrRefused error. Each connection's OnUp runs with a context that
// ends with the connection, and is waited for before the next one starts.
func (c *Client) run(ctx context.Context, up chan<- error) {
	defer close(c.done)
	first := true
	var wait time.Duration // before the next attempt, when already drawn (and logged)
	c.cfg.Status.starting(time.Now())
	for attempt := 0; ; attempt++ {
		if !first || attempt > 0 { // the very first attempt goes at once
			if wait == 0 {
				wait = backoff(attempt)
			}
			t := time.NewTimer(wait)
			wait = 0
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return
			}
		}
		cli, conn, err := c.dial(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			c.cfg.Status.failed(time.Now(), err)
			if first && (c.cfg.FailFast || errors.Is(err, ErrRefused)) {
				up <- err
				return
			}
			c.mu.Lock()
			repeated := c.lastErr != nil && c.lastErr.Error() == err.Error()
			c.lastErr = err
			c.mu.Unlock()
			// A new reason is worth a warning; the same one again, a
			// debug line: the camera retries for as long as it runs.
			level := slog.LevelWarn
			if repeated {
				level = slog.LevelDebug
			}
			wait = backoff(attempt + 1)
			c.log.Log(ctx, level, "cannot reach the broker; retrying", "broker", c.cfg.URL, "err", err, "retry_in", wait)
			continue
		}
		c.mu.Lock()
		c.lastErr = nil
		c.mu.Unlock()
		c.log.Info("connected to broker", "broker", c.cfg.URL, "client", c.cfg.ClientID)
		since := time.Now()
		c.cfg.Status.up(since)
		c.setClient(cli)
		if first {
			up <- nil
			first = false
		}
		c.serve(ctx, cli, conn)
		c.setClient(nil)
		if ctx.Err() != nil {
			c.cfg.Status.down(time.Now(), "")
			return
		}
		c.cfg.Status.down(time.Now(), "lost the broker")
		c.log.Warn("lost the broker; reconnecting", "broker", c.cfg.URL)
		if time.Since(since) >= stableAfter {
			attempt = -1 // the next reconnect waits backoff(0)
		}
	}
}

// disconnectLimit bounds the clean DISCONNECT on Close, for a connection
// that has stalled.
const disconnectLimit = 2 * time.Second

// serve runs OnUp for the connection cli and waits until it drops or ctx
// ends (then it disconnects cleanly: the broker drops the will), and for
// OnUp to return.
func (c *Client) serve(ctx context.Context, cli *paho.Client, conn net.Conn) {
	connCtx, cancel := context.WithCancel(ctx)
	var onUp sync.WaitGroup
	if c.cfg.OnUp != nil {
		onUp.Go(func() { c.cfg.OnUp(connCtx, c) })
	}
	select {
	case <-cli.Done():
	case <-ctx.Done():
		_ = conn.SetWriteDeadline(time.Now().Add(disconnectLimit))
		_ = cli.Disconnect(&paho.Disconnect{ReasonCode: 0})
		<-cli.Done()
	}
	cancel()
	onUp.Wait()
}

func (c *Client) setClient(cli *paho.Client) {
	c.mu.Lock()
	c.cli = cli
	c.mu.Unlock()
}

// dial makes one connection attempt: TCP or TLS, then CONNECT. A CONNACK
// with a failure reason gives an ErrRefused error.
func (c *Client) dial(ctx context.Context) (*paho.Client, net.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	var conn net.Conn
	var err error
	if c.tls {
		var d tls.Dialer
		conn, err = d.DialContext(ctx, "tcp", c.host)
		if err == nil {
			// paho writes from several goroutines; a tls.Conn needs a lock
			// for that (a TCP connection does not).
			conn = packets.NewThreadSafeConn(conn)
		}
	} else {
		var d net.Dialer
		conn, err = d.DialContext(ctx, "tcp", c.host)
	}
	if err != nil {
		return nil, nil, err
	}
	cli := paho.NewClient(paho.ClientConfig{
		ClientID: c.cfg.ClientID,
		Conn:     conn,
		OnPublishReceived: []func(paho.PublishReceived) (bool, error){
			func(pr paho.PublishReceived) (bool, error) {
				if c.cfg.OnMessage != nil {
					c.cfg.OnMessage(pr.Packet)
				}
				return true, nil
			},
		},
		OnClientError: func(err error) {
			c.log.Debug("broker connection error", "broker", c.cfg.URL, "err", err)
		},
		OnServerDisconnect: func(d *paho.Disconnect) {
			c.log.Debug("broker disconnected us", "broker", c.cfg.URL, "reason", d.ReasonCode)
		},
	})
	cp := &paho.Connect{
		KeepAlive: keepAlive,
		ClientID:  c.cfg.ClientID,
		// No session outlives a connection (expiry 0): what OnUp sets up
		// is set up again on each.
		CleanStart: true,
	}
	if c.cfg.Username != "" {
		cp.UsernameFlag = true
		cp.Username = c.cfg.Username
	}
	if c.cfg.Password != "" {
		cp.PasswordFlag = true
		cp.Password = []byte(c.cfg.Password)
	}
	if c.cfg.Will != nil {
		cp.WillMessage = c.cfg.Will
		cp.WillProperties = &paho.WillProperties{}
	}
	ack, err := cli.Connect(ctx, cp)
	if err != nil {
		if ack != nil && ack.ReasonCode >= 0x80 && !transient(ack.ReasonCode) {
			return nil, nil, fmt.Errorf("%w (reason %#x): %v", ErrRefused, ack.ReasonCode, err)
		}
		return nil, nil, err
	}
	return cli, conn, nil
}

// transient reports whether a CONNACK failure reason may pass by itself
// (server unavailable or busy, quota or connection rate exceeded), so that
// the connection is tried again rather than given up.
func transient(reason byte) bool {
	switch reason {
	case 0x88, 0x89, 0x97, 0x9F:
		return true
	}
	return false
}

// client returns the connected paho client, or ErrDown or ErrClosed.
func (c *Client) client() (*paho.Client, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.closed:
		return nil, ErrClosed
	case c.cli == nil:
		return nil, ErrDown
	}
	return c.cli, nil
}

// Subscribe subscribes to filter with QoS 1 and checks that the broker
// granted it.
func (c *Client) Subscribe(ctx context.Context, filter string) error {
	cli, err := c.client()
	if err != nil {
		return fmt.Errorf("mqttclient: subscribe %s: %w", filter, err)
	}
	ack, err := cli.Subscribe(ctx, &paho.Subscribe{Subscriptions: []paho.SubscribeOptions{{Topic: filter, QoS: 1}}})
	if err != nil {
		return fmt.Errorf("mqttclient: subscribe %s: %w", filter, err)
	}
	if len(ack.Reasons) != 1 || ack.Reasons[0] >= 0x80 {
		return fmt.Errorf("mqttclient: subscribe %s: refused by the broker (reason %v)", filter, ack.Reasons)
	}
	return nil
}

// Publish sends a QoS 1 message.
func (c *Client) Publish(ctx context.Context, p *paho.Publish) error {
	p.QoS = 1
	cli, err := c.client()
	if err != nil {
		return fmt.Errorf("mqttclient: publish %s: %w", p.Topic, err)
	}
	resp, err := cli.Publish(ctx, p)
	if err != nil {
		return fmt.Errorf("mqttclient: publish %s: %w", p.Topic, err)
	}
	if resp != nil && resp.ReasonCode >= 0x80 {
		return fmt.Errorf("mqttclient: publish %s: refused by the broker (reason %#x)", p.Topic, resp.ReasonCode)
	}
	return nil
}

// Close disconnects cleanly (the will is not sent), stops reconnecting
// and waits for OnUp to return.
func (c *Client) Close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.cancel()
	<-c.done
}
