package link

import (
	"net"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/logging"
	"github.com/pion/transport/v5"
	"github.com/pion/webrtc/v4"
)

// ICE timing. A peer that stops answering is disconnected after
// DisconnectedTimeout and dropped, its session freed, FailedTimeout later
// (OnLost): within the 5 s that a camera may hold a vanished viewer's
// resources. A new session may check candidate pairs for SetupTimeout
// before ICE gives up on it.
//
// pion has one "failed" timeout for both: a session still checking fails
// DisconnectedTimeout + failed timeout after checking began. With both at
// 2 s a browser whose checks came later than 4 s (Chromium gathering
// TURN relays on a loaded machine) found the camera gone: the NAT lab's
// browser test failed that way. So pion's failed timeout is set for the
// setup window, and OnLost enforces FailedTimeout once a session was up.
const (
	DisconnectedTimeout = 2 * time.Second
	FailedTimeout       = 2 * time.Second // after disconnected, by OnLost
	// SetupTimeout is how long a new session's ICE may check before it
	// fails: the camera's and the browser SDK's setup window.
	SetupTimeout      = 15 * time.Second
	KeepaliveInterval = 500 * time.Millisecond
	// RelayAcceptanceWait is how long ICE keeps looking for a direct path
	// before it settles for TURN. pion waits 2 s by default; a camera
	// behind a symmetric NAT would show its first frame that much later.
	// Direct pairs (host, server- and peer-reflexive) are taken as soon
	// as they work: pion's 0.5 s and 1 s waits for them made a direct
	// session slower to start than a relayed one.
	RelayAcceptanceWait = 300 * time.Millisecond
	// SCTPRTOMax caps SCTP's retransmission timeout. pion backs off to
	// 60 s from a 1 s floor, so a few lost packets stall a stream for
	// seconds on a reliable channel; capped, a loss costs at most this.
	// Paths with round trips above it would retransmit needlessly.
	SCTPRTOMax = 500 * time.Millisecond
)

// Options tune the pion API of one side.
type Options struct {
	// Net replaces the host network; tests pass a pion vnet.
	Net transport.Net
	// LoopbackOnly gathers candidates on the loopback interface only, for
	// a camera and a viewer on one host (tests, the demo).
	LoopbackOnly bool
	// LoggerFactory receives pion's logs; nil keeps them quiet.
	LoggerFactory logging.LoggerFactory
	// SCTPRTOMax replaces the default SCTPRTOMax when positive.
	SCTPRTOMax time.Duration
	// RelayAcceptanceWait replaces the default RelayAcceptanceWait when
	// positive.
	RelayAcceptanceWait time.Duration
	// Media sets the API up for media tracks: codecs, and the RTP
	// interceptors (NACK, RTCP reports). Without it a session has data
	// channels only, and no interceptor timers run for it.
	Media bool
	// Interceptors are added, with Media, to the RTP interceptor chain
	// ahead of p2pcam's: they see incoming packets first, as they come
	// off the wire, and outgoing ones last. Tests drop packets here.
	Interceptors []interceptor.Factory
}

// NewAPI returns a pion API configured for p2pcam sessions: data
// channels, and with o.Media media tracks with the codecs of
// RegisterCodecs, NACK (generator and responder) and RTCP sender and
// receiver reports.
func NewAPI(o Options) *webrtc.API {
	var se webrtc.SettingEngine
	// Detached channels are read by pulling, so nothing that arrives
	// before a reader is ready is lost, and a slow reader holds the
	// sender back through SCTP's window.
	se.DetachDataChannels()
	se.SetICETimeouts(DisconnectedTimeout, SetupTimeout-DisconnectedTimeout, KeepaliveInterval)
	relayWait := RelayAcceptanceWait
	if o.RelayAcceptanceWait > 0 {
		relayWait = o.RelayAcceptanceWait
	}
	se.SetRelayAcceptanceMinWait(relayWait)
	se.SetSrflxAcceptanceMinWait(0)
	se.SetICEBindingRequestHandler(followNomination)
	se.SetPrflxAcceptanceMinWait(0)
	rto := SCTPRTOMax
	if o.SCTPRTOMax > 0 {
		rto = o.SCTPRTOMax
	}
	se.SetSCTPRTOMax(rto)
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	if o.LoopbackOnly {
		se.SetIncludeLoopbackCandidate(true)
		se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
		se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	}
	if o.Net != nil {
		se.SetNet(o.Net)
	}
	if o.LoggerFactory != nil {
		se.LoggerFactory = o.LoggerFactory
	} else {
		se.LoggerFactory = quietLogs{}
	}
	if !o.Media {
		// An empty media engine and interceptor registry: without them
		// pion registers its default codecs and interceptors (NACK, RTCP
		// reports, TWCC, stats), whose RTCP timers would run for every
		// session, and the camera would link code it never runs.
		return webrtc.NewAPI(webrtc.WithSettingEngine(se),
			webrtc.WithMediaEngine(&webrtc.MediaEngine{}),
			webrtc.WithInterceptorRegistry(&interceptor.Registry{}))
	}
	m := &webrtc.MediaEngine{}
	if err := RegisterCodecs(m); err != nil {
		panic(err) // static codec table: a programming error
	}
	ir := &interceptor.Registry{}
	for _, f := range o.Interceptors {
		ir.Add(f)
	}
	if err := webrtc.ConfigureNack(m, ir); err != nil {
		panic(err)
	}
	if err := webrtc.ConfigureRTCPReports(ir); err != nil {
		panic(err)
	}
	return webrtc.NewAPI(webrtc.WithSettingEngine(se), webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(ir))
}

// quietLogs drops pion's logging.
type quietLogs struct{}

func (quietLogs) NewLogger(string) logging.LeveledLogger {
	return logging.NewDefaultLeveledLoggerForScope("", logging.LogLevelDisabled, discard{})
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
