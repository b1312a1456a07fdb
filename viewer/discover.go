package viewer

import (
	"context"

	"github.com/p2pcam/p2pcam/discovery"
	"github.com/p2pcam/p2pcam/signal"
)

// Discover probes the local networks for cameras (package discovery) and
// returns those that answered: each one's device, LAN mode URL, whether
// it needs a token and how many channels it serves.
func Discover(ctx context.Context, cfg discovery.BrowseConfig) ([]discovery.Match, error) {
	return discovery.Browse(ctx, cfg)
}

// FindLAN probes for the camera dev and returns its LAN mode, requests
// carrying token, or nil when it did not answer.
func FindLAN(ctx context.Context, dev signal.DeviceID, token string, cfg discovery.BrowseConfig) (*LAN, error) {
	cfg.Filter = discovery.Probe{ProductID: dev.Product, DeviceName: dev.Device}
	found, err := discovery.Browse(ctx, cfg)
	if err != nil {
		return nil, err
	}
	for _, m := range found {
		if m.ProductID == dev.Product && m.DeviceName == dev.Device {
			return &LAN{Base: m.URL, Token: token}, nil
		}
	}
	return nil, nil
}

// Session is a connection to a camera that requests run on: a P2P *Conn,
// or the camera's LAN mode. Close it when done.
type Session interface {
	Requester
	Close()
	// Kind is "lan" or "p2p".
	Kind() string
}

// Open connects to the camera of cfg: with cfg.PreferLAN, over its LAN
// mode when a probe finds it on this host's networks (no broker, no
// NAT traversal); otherwise, or when it does not answer, over P2P (Dial).
func Open(ctx context.Context, cfg Config) (Session, error) {
	if cfg.PreferLAN {
		l, err := FindLAN(ctx, cfg.Device, cfg.Token, cfg.Discovery)
		if err != nil && cfg.Logger != nil {
			cfg.Logger.Info("LAN discovery failed; connecting over P2P", "err", err)
		}
		if l != nil {
			return lanSession{l}, nil
		}
	}
	c, err := Dial(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// lanSession is a LAN as a Session.
type lanSession struct{ *LAN }

func (lanSession) Close()       {}
func (lanSession) Kind() string { return "lan" }

// Kind implements Session: "p2p".
func (c *Conn) Kind() string { return "p2p" }
