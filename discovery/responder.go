package discovery

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"sync/atomic"
	"time"
)

// Camera is what a responder tells about its camera.
type Camera struct {
	ProductID, DeviceName string
	// LANPort is the port of LAN mode's HTTP listener.
	LANPort int
	// LANHost is the address LAN mode listens on, when it listens on one
	// address: answers name it, and a loopback one is not offered to
	// other hosts. Zero or unspecified (0.0.0.0): answers name the
	// address the probe reached the camera at.
	LANHost    netip.Addr
	NeedsToken bool
	Channels   int
}

// Config configures a Responder. Its zero value works with Camera set.
type Config struct {
	// Camera returns what to answer; it is called for each answer.
	Camera func() Camera
	// PerAddress bounds answers to one sender a second. It defaults to 4.
	PerAddress int
	// Total bounds answers a second. It defaults to 32.
	Total int
	// Now defaults to time.Now.
	Now func() time.Time
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

// Responder answers probes on a UDP socket.
type Responder struct {
	cfg     Config
	lim     limiter
	ignored atomic.Int64
	sent    atomic.Int64
}

// NewResponder returns a responder for cfg.
func NewResponder(cfg Config) (*Responder, error) {
	if cfg.Camera == nil {
		return nil, errors.New("discovery: Config.Camera is nil")
	}
	if cfg.PerAddress == 0 {
		cfg.PerAddress = 4
	}
	if cfg.Total == 0 {
		cfg.Total = 32
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Responder{cfg: cfg, lim: limiter{perAddr: cfg.PerAddress, total: cfg.Total}}, nil
}

// Ignored counts the datagrams not answered: malformed, too small or
// big, for another camera, or over the rate limit.
func (r *Responder) Ignored() int64 { return r.ignored.Load() }

// Answered counts the matches sent.
func (r *Responder) Answered() int64 { return r.sent.Load() }

// Serve answers probes on conn until ctx is done, then closes conn.
func (r *Responder) Serve(ctx context.Context, conn *net.UDPConn) error {
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	buf := make([]byte, MaxProbeSize+1) // one more: a bigger probe is seen as too big
	for {
		n, from, err := conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		if ans := r.answer(buf[:n], from); ans != nil {
			if _, err := conn.WriteToUDPAddrPort(ans, from); err == nil {
				r.sent.Add(1)
			}
		}
	}
}

// answer returns the match to send for datagram b from from, or nil.
func (r *Responder) answer(b []byte, from netip.AddrPort) []byte {
	p, err := UnmarshalProbe(b)
	if err != nil {
		r.ignored.Add(1)
		r.cfg.Logger.Debug("discovery: ignored a datagram", "from", from, "bytes", len(b), "err", err)
		return nil
	}
	cam := r.cfg.Camera()
	if (p.ProductID != "" && p.ProductID != cam.ProductID) || (p.DeviceName != "" && p.DeviceName != cam.DeviceName) {
		r.ignored.Add(1)
		return nil
	}
	if !r.lim.allow(from.Addr().Unmap(), r.cfg.Now()) {
		r.ignored.Add(1)
		r.cfg.Logger.Debug("discovery: over the rate limit", "from", from)
		return nil
	}
	host, ok := cam.LANHost.Unmap(), true
	switch {
	case !host.IsValid() || host.IsUnspecified():
		host, ok = localAddrFor(from)
	case host.IsLoopback() && !from.Addr().Unmap().IsLoopback():
		ok = false // LAN mode serves this host only
	}
	if !ok {
		r.ignored.Add(1)
		return nil
	}
	m := Match{ClientToken: p.ClientToken, ProductID: cam.ProductID, DeviceName: cam.DeviceName,
		URL:        "http://" + net.JoinHostPort(host.String(), strconv.Itoa(cam.LANPort)),
		NeedsToken: cam.NeedsToken, Channels: max(cam.Channels, 1)}
	out, err := m.Marshal()
	if err != nil || len(out) > len(b) { // never more than the probe
		r.ignored.Add(1)
		return nil
	}
	return out
}

// localAddrFor returns this host's address on the way to to: the address
// a viewer there reaches the camera at. Connecting a UDP socket sends
// nothing; it asks the kernel's routing table.
func localAddrFor(to netip.AddrPort) (netip.Addr, bool) {
	c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(to))
	if err != nil {
		return netip.Addr{}, false
	}
	defer c.Close()
	a := c.LocalAddr().(*net.UDPAddr).AddrPort().Addr().Unmap()
	return a, a.IsValid() && !a.IsUnspecified()
}
