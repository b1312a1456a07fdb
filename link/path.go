package link

import (
	"errors"
	"net"
	"strconv"
	"sync"

	"github.com/pion/webrtc/v4"
)

// Path describes the network path a session uses.
type Path struct {
	Local, Remote webrtc.ICECandidateType // host, srflx, prflx or relay
	Protocol      webrtc.ICEProtocol
	LocalAddr     string
	RemoteAddr    string
}

// Relayed reports whether the path goes through a TURN server.
func (p Path) Relayed() bool {
	return p.Local == webrtc.ICECandidateTypeRelay || p.Remote == webrtc.ICECandidateTypeRelay
}

// Kind names the path as a viewer cares: "relay", "srflx" (direct through
// NAT), or "host" (direct, same network).
func (p Path) Kind() string {
	switch {
	case p.Relayed():
		return "relay"
	case p.Local == webrtc.ICECandidateTypeHost && p.Remote == webrtc.ICECandidateTypeHost:
		return "host"
	}
	return "srflx"
}

// SelectedPath returns the path of a connected peer connection.
func SelectedPath(pc *webrtc.PeerConnection) (Path, error) {
	return sctpPath(pc.SCTP())
}

// Path returns the network path of the session the request came on.
func (r *Responder) Path() (Path, error) { return sctpPath(r.dc.Transport()) }

// sctpPath returns the path under a session's SCTP transport.
func sctpPath(sctp *webrtc.SCTPTransport) (Path, error) {
	t := iceTransport(sctp)
	if t == nil {
		return Path{}, errors.New("link: no transport yet")
	}
	pair, err := t.GetSelectedCandidatePair()
	if err != nil || pair == nil {
		return Path{}, errors.New("link: no candidate pair selected yet")
	}
	return pathOf(pair), nil
}

// OnPathChange calls f with the new path each time ICE selects another
// candidate pair: the first, and any later switch (the controlling peer
// nominating another pair, as Chromium does when a direct pair starts
// working after a relayed one). It takes the ICE transport's
// OnSelectedCandidatePairChange.
func OnPathChange(pc *webrtc.PeerConnection, f func(Path)) {
	t := iceTransport(pc.SCTP())
	if t == nil {
		return
	}
	var (
		mu   sync.Mutex // guards last
		last Path
	)
	t.OnSelectedCandidatePairChange(func(pair *webrtc.ICECandidatePair) {
		p := pathOf(pair)
		mu.Lock()
		same := p == last
		last = p
		mu.Unlock()
		if !same { // the same pair, nominated again
			f(p)
		}
	})
}

func iceTransport(sctp *webrtc.SCTPTransport) *webrtc.ICETransport {
	if sctp == nil || sctp.Transport() == nil {
		return nil
	}
	return sctp.Transport().ICETransport()
}

func pathOf(pair *webrtc.ICECandidatePair) Path {
	return Path{
		Local: pair.Local.Typ, Remote: pair.Remote.Typ, Protocol: pair.Local.Protocol,
		LocalAddr:  net.JoinHostPort(pair.Local.Address, strconv.Itoa(int(pair.Local.Port))),
		RemoteAddr: net.JoinHostPort(pair.Remote.Address, strconv.Itoa(int(pair.Remote.Port))),
	}
}
