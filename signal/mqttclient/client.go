// Package mqttclient keeps an MQTT 5 connection up for a camera or a
// viewer: it connects with credentials, reconnects with exponential
// backoff and jitter, re-runs the caller's setup (subscriptions, retained
// info) after every reconnect, and hands received messages to a handler.
package mqttclient

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/eclipse/paho.golang/autopaho"
	"github.com/eclipse/paho.golang/paho"
)

// Reconnect backoff: random delays between min and a cap that grows from
// 500 ms by 30% each attempt to max (about 4 s by the eighth attempt).
// After a broker restart the first attempts come quickly, and a fleet of
// cameras does not reconnect in lockstep.
const (
	backoffMin = 200 * time.Millisecond
	backoffMax = 30 * time.Second
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
	Logger    *slog.Logger
}

// Client is a kept-up connection.
type Client struct {
	cm     *autopaho.ConnectionManager
	ready  chan struct{} // closed once cm is set
	log    *slog.Logger
	cancel context.CancelFunc
}

// ErrRefused means the broker refused the connection (bad credentials,
// client id not allowed); retrying will not help.
var ErrRefused = errors.New("mqttclient: broker refused the connection")

// Connect connects and waits for the first connection. It fails fast when
// the broker refuses the credentials; otherwise it keeps trying until ctx
// is done. The connection stays up until Close.
func Connect(ctx context.Context, cfg Config) (*Client, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("mqttclient: broker URL: %w", err)
	}
	switch u.Scheme {
	case "mqtt":
	case "mqtts":
		u.Scheme = "tls"
	default:
		return nil, fmt.Errorf("mqttclient: broker URL %q: want mqtt:// or mqtts://", cfg.URL)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	runCtx, cancel := context.WithCancel(context.Background())
	c := &Client{log: log, cancel: cancel, ready: make(chan struct{})}
	refused := make(chan error, 1)
	acfg := autopaho.ClientConfig{
		ServerUrls:                    []*url.URL{u},
		KeepAlive:                     10,
		CleanStartOnInitialConnection: true,
		ConnectTimeout:                5 * time.Second,
		ReconnectBackoff:              autopaho.NewExponentialBackoff(backoffMin, backoffMax, 500*time.Millisecond, 1.3),
		ConnectUsername:               cfg.Username,
		ConnectPassword:               []byte(cfg.Password),
		WillMessage:                   cfg.Will,
		OnConnectionUp: func(cm *autopaho.ConnectionManager, _ *paho.Connack) {
			log.Info("connected to broker", "broker", cfg.URL, "client", cfg.ClientID)
			if cfg.OnUp != nil {
				go func() {
					// The first connection can come up before
					// NewConnection returns the manager.
					select {
					case <-c.ready:
						cfg.OnUp(runCtx, c)
					case <-runCtx.Done():
					}
				}()
			}
		},
		OnConnectionDown: func() bool {
			log.Warn("lost the broker; reconnecting", "broker", cfg.URL)
			return true
		},
		OnConnectError: func(err error) {
			var ce *autopaho.ConnackError
			if errors.As(err, &ce) {
				select {
				case refused <- fmt.Errorf("%w: %v", ErrRefused, err):
				default:
				}
				return
			}
			log.Debug("broker connection attempt failed", "broker", cfg.URL, "err", err)
		},
		ClientConfig: paho.ClientConfig{
			ClientID: cfg.ClientID,
			OnPublishReceived: []func(paho.PublishReceived) (bool, error){
				func(pr paho.PublishReceived) (bool, error) {
					if cfg.OnMessage != nil {
						cfg.OnMessage(pr.Packet)
					}
					return true, nil
				},
			},
		},
	}
	cm, err := autopaho.NewConnection(runCtx, acfg)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("mqttclient: %w", err)
	}
	c.cm = cm
	close(c.ready)
	up := make(chan error, 1)
	go func() { up <- cm.AwaitConnection(ctx) }()
	select {
	case err = <-up:
	case err = <-refused:
	}
	if err != nil {
		cancel()
		<-cm.Done()
		return nil, fmt.Errorf("mqttclient: connect to %s: %w", cfg.URL, err)
	}
	return c, nil
}

// Subscribe subscribes to filter with QoS 1 and checks that the broker
// granted it.
func (c *Client) Subscribe(ctx context.Context, filter string) error {
	ack, err := c.cm.Subscribe(ctx, &paho.Subscribe{Subscriptions: []paho.SubscribeOptions{{Topic: filter, QoS: 1}}})
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
	resp, err := c.cm.Publish(ctx, p)
	if err != nil {
		return fmt.Errorf("mqttclient: publish %s: %w", p.Topic, err)
	}
	if resp != nil && resp.ReasonCode >= 0x80 {
		return fmt.Errorf("mqttclient: publish %s: refused by the broker (reason %#x)", p.Topic, resp.ReasonCode)
	}
	return nil
}

// Close disconnects cleanly (the will is not sent) and stops
// reconnecting.
func (c *Client) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = c.cm.Disconnect(ctx)
	c.cancel()
	<-c.cm.Done()
}
