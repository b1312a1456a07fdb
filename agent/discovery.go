package agent

import (
	"context"
	"fmt"
	"net"

	"github.com/p2pcam/p2pcam/discovery"
	"github.com/p2pcam/p2pcam/signal"
)

// DiscoveryConfig configures LAN discovery: answers to viewers' UDP
// probes (package discovery), so that p2pcam discover and the SDKs find
// the camera's LAN mode without a cloud.
type DiscoveryConfig struct {
	// Listen is the UDP address probes come to, e.g. ":3072"
	// (discovery.DefaultPort). It defaults to "off": a camera whose LAN
	// mode listens on loopback has nothing to offer the network. It
	// needs LAN mode on.
	Listen string `toml:"listen"`
	// AnswersPerAddress bounds answers to one address a second. It
	// defaults to 4.
	AnswersPerAddress int `toml:"answers_per_address"`
	// AnswersPerSecond bounds answers a second in all. It defaults to 32.
	AnswersPerSecond int `toml:"answers_per_second"`
}

func (d DiscoveryConfig) withDefaults() DiscoveryConfig {
	if d.Listen == "" {
		d.Listen = "off"
	}
	if d.AnswersPerAddress == 0 {
		d.AnswersPerAddress = 4
	}
	if d.AnswersPerSecond == 0 {
		d.AnswersPerSecond = 32
	}
	return d
}

func (d DiscoveryConfig) validate(lan LANConfig) []error {
	var errs []error
	if d.Listen != "off" && lan.Listen == "off" {
		errs = append(errs, fmt.Errorf("discovery.listen = %q needs LAN mode (lan.listen): discovery answers with its URL", d.Listen))
	}
	if d.AnswersPerAddress < 1 || d.AnswersPerSecond < d.AnswersPerAddress {
		errs = append(errs, fmt.Errorf("discovery: answers_per_address = %d, answers_per_second = %d: want 1 <= per address <= per second", d.AnswersPerAddress, d.AnswersPerSecond))
	}
	return errs
}

// listenDiscovery binds the discovery socket, or returns nil when
// discovery is off.
func (a *Agent) listenDiscovery() (*net.UDPConn, error) {
	if a.cfg.Discovery.Listen == "off" {
		return nil, nil
	}
	addr, err := net.ResolveUDPAddr("udp4", a.cfg.Discovery.Listen)
	if err != nil {
		return nil, fmt.Errorf("agent: discovery.listen: %w", err)
	}
	conn, err := net.ListenUDP("udp4", addr)
	if err != nil {
		return nil, fmt.Errorf("agent: discovery: %w", err)
	}
	return conn, nil
}

// serveDiscovery answers probes on conn until ctx is done. It answers
// with LAN mode's port once LAN mode has bound it.
func (a *Agent) serveDiscovery(ctx context.Context, conn *net.UDPConn) error {
	lan := a.LANAddr(ctx)
	if lan == nil {
		conn.Close()
		return nil
	}
	id, _ := signal.ParseDeviceID(a.cfg.Device) // validated
	cam := discovery.Camera{
		ProductID: id.Product, DeviceName: id.Device,
		LANPort:    lan.(*net.TCPAddr).Port,
		LANHost:    lan.(*net.TCPAddr).AddrPort().Addr(),
		NeedsToken: a.verifier != nil,
		Channels:   1 + len(a.nvr),
	}
	r, err := discovery.NewResponder(discovery.Config{
		Camera:     func() discovery.Camera { return cam },
		PerAddress: a.cfg.Discovery.AnswersPerAddress,
		Total:      a.cfg.Discovery.AnswersPerSecond,
		Now:        a.cfg.Clock.Now,
		Logger:     a.log.With("mode", "discovery"),
	})
	if err != nil {
		conn.Close()
		return err
	}
	a.log.Info("LAN discovery listening", "addr", conn.LocalAddr().String())
	if err := r.Serve(ctx, conn); err != nil {
		return fmt.Errorf("agent: discovery: %w", err)
	}
	return nil
}
