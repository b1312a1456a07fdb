package discovery

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net"
	"net/netip"
	"strconv"
	"time"
)

// BrowseConfig configures Browse. Its zero value probes every IPv4
// network this host is on for 1 s.
type BrowseConfig struct {
	// Targets are extra addresses to probe (HOST or HOST:PORT, the port
	// defaulting to DefaultPort), e.g. a camera across a router.
	Targets []string
	// Port is the cameras' port. It defaults to DefaultPort.
	Port int
	// NoBroadcast probes only Targets.
	NoBroadcast bool
	// Filter asks only a product or device to answer; its ClientToken is
	// made by Browse.
	Filter Probe
	// Timeout is how long to wait for answers. It defaults to 1s; a
	// context deadline that comes first ends it sooner.
	Timeout time.Duration
	// Resend is the time between the probes Browse sends, three in all
	// (UDP may lose one). It defaults to Timeout/4.
	Resend time.Duration
}

// Browse probes for cameras and returns the matches that answered, one
// per camera URL, in the order they came.
func Browse(ctx context.Context, cfg BrowseConfig) ([]Match, error) {
	if cfg.Port == 0 {
		cfg.Port = DefaultPort
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = time.Second
	}
	if cfg.Resend == 0 {
		cfg.Resend = cfg.Timeout / 4
	}
	targets, err := probeTargets(cfg)
	if err != nil {
		return nil, err
	}
	if len(targets) == 0 {
		return nil, errors.New("discovery: no network to probe: no IPv4 interface with a broadcast address is up; give a target")
	}
	tok := make([]byte, 8)
	_, _ = rand.Read(tok)
	probe := cfg.Filter
	probe.ClientToken = hex.EncodeToString(tok)
	msg, err := probe.Marshal()
	if err != nil {
		return nil, err
	}
	conn, err := net.ListenUDP("udp4", nil)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	stop := context.AfterFunc(ctx, func() { _ = conn.SetReadDeadline(time.Now()) })
	defer stop()

	sendErr := make(chan error, 1)
	go func() {
		var first error
		for i := range 3 {
			sent := 0
			for _, t := range targets {
				if _, err := conn.WriteToUDPAddrPort(msg, t); err == nil {
					sent++
				} else if first == nil {
					first = err
				}
			}
			if i == 0 && sent == 0 {
				sendErr <- first
				cancel()
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(cfg.Resend):
			}
		}
	}()

	var out []Match
	seen := map[string]bool{}
	buf := make([]byte, MaxMatchSize+1)
	for {
		n, _, err := conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			select {
			case err := <-sendErr:
				return nil, err
			default:
			}
			if ctx.Err() != nil {
				return out, nil
			}
			return out, err
		}
		m, err := UnmarshalMatch(buf[:n])
		if err != nil || m.ClientToken != probe.ClientToken || seen[m.URL] {
			continue // not an answer to this probe
		}
		seen[m.URL] = true
		out = append(out, m)
	}
}

// probeTargets returns where to send probes: each IPv4 network's
// broadcast address, and cfg's targets.
func probeTargets(cfg BrowseConfig) ([]netip.AddrPort, error) {
	var out []netip.AddrPort
	if !cfg.NoBroadcast {
		ifs, err := net.Interfaces()
		if err != nil {
			return nil, err
		}
		for _, ifc := range ifs {
			if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagBroadcast == 0 || ifc.Flags&net.FlagLoopback != 0 {
				continue
			}
			addrs, _ := ifc.Addrs()
			for _, a := range addrs {
				if b, ok := broadcastOf(a); ok {
					out = append(out, netip.AddrPortFrom(b, uint16(cfg.Port)))
				}
			}
		}
	}
	for _, t := range cfg.Targets {
		host, port := t, strconv.Itoa(cfg.Port)
		if h, p, err := net.SplitHostPort(t); err == nil {
			host, port = h, p
		}
		addr, err := net.ResolveUDPAddr("udp4", net.JoinHostPort(host, port))
		if err != nil {
			return nil, err
		}
		out = append(out, addr.AddrPort())
	}
	return out, nil
}

// broadcastOf returns the broadcast address of an interface's IPv4
// network, e.g. 10.0.0.255 for 10.0.0.2/24.
func broadcastOf(a net.Addr) (netip.Addr, bool) {
	ipn, ok := a.(*net.IPNet)
	if !ok {
		return netip.Addr{}, false
	}
	ip4 := ipn.IP.To4()
	if ip4 == nil || len(ipn.Mask) != net.IPv4len {
		return netip.Addr{}, false
	}
	var b [4]byte
	for i := range b {
		b[i] = ip4[i] | ^ipn.Mask[i]
	}
	return netip.AddrFrom4(b), true
}
