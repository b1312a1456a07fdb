package throttle

import (
	"net"
	"net/netip"
)

// ipv6Prefix is how much of an IPv6 address names one client: a host
// picks any address in its /64, so counting by address would let it
// escape every limit.
const ipv6Prefix = 64

// AddrKey returns the key a client's address is limited under: the IP
// of a "host:port" (or bare IP) address, or its /64 for IPv6. It returns
// the input unchanged when it is not an address, so that nothing goes
// unlimited.
func AddrKey(remote string) string {
	host := remote
	if h, _, err := net.SplitHostPort(remote); err == nil {
		host = h
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return remote
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is6() {
		p, _ := ip.Prefix(ipv6Prefix)
		return p.String()
	}
	return ip.String()
}
