// Package p2p is the camera's P2P mode: it keeps the device registered on
// the MQTT broker, answers viewers' WebRTC offers after checking their
// tokens, and serves each data channel as a request through the agent's
// handler. The viewer SDK (package viewer) is the other side.
package p2p

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eclipse/paho.golang/paho"
	"github.com/pion/webrtc/v4"

	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/event"
	"github.com/p2pcam/p2pcam/internal/throttle"
	"github.com/p2pcam/p2pcam/link"
	"github.com/p2pcam/p2pcam/protocol"
	"github.com/p2pcam/p2pcam/signal"
	"github.com/p2pcam/p2pcam/signal/mqttclient"
)

// Handler serves one request on its data channel, returning when the
// answer is complete or ctx is done.
type Handler func(ctx context.Context, v protocol.Viewer, line string, w Responder)

// Config configures P2P mode.
type Config struct {
	Device     signal.DeviceID
	Broker     string // mqtt://host:port
	Username   string // defaults to the device id
	Password   string
	ICEServers []webrtc.ICEServer
	// Verifier checks viewers' tokens; required.
	Verifier *auth.Verifier
	// DeviceKey signs answers; required.
	DeviceKey ed25519.PrivateKey
	Handle    Handler
	// VideoSPS returns the H.264 sequence parameter set of the camera's
	// video, or nil when not known yet: a session with media tracks
	// negotiates the H.264 profile it names (link.ChooseH264). Optional.
	VideoSPS func() []byte
	Link     link.Options
	// MaxSessions bounds the sessions, connecting or connected (each
	// may carry several requests). It defaults to 8; the agent sets
	// twice max_viewers, which still bounds the requests.
	MaxSessions int
	// MaxPending bounds the sessions still connecting (no DTLS
	// handshake yet). It defaults to half of MaxSessions, and is at
	// least PendingPerSubject.
	MaxPending int
	// PendingPerSubject bounds the sessions one token subject has
	// connecting: a new offer evicts the subject's oldest beyond it. It
	// defaults to 2.
	PendingPerSubject int
	// SessionsPerSubject bounds one token subject's sessions, connecting
	// or connected. It defaults to half of MaxSessions, and is at least
	// PendingPerSubject.
	SessionsPerSubject int
	// OfferRate and OfferBurst limit each subject's offers, a token
	// bucket. An offer whose session connects gives its token back, so
	// only offers that never connect are held back. They default to 1 a
	// second and a burst of 4.
	OfferRate  float64
	OfferBurst int
	// BrokerVouches says that the broker stamps every message with its
	// publisher's user name (signal.SenderProperty) and strips any the
	// publisher wrote, as the dev cloud's does. Then an offer counts only
	// from the user its token names, and a session's later messages only
	// from that user: who knows a session's id cannot end it. Without it
	// (mosquitto), a session's id and its offer's inbox bind them.
	BrokerVouches bool
	// HandshakeTimeout drops a session whose DTLS handshake has not
	// completed this long after the answer. It defaults to
	// DefaultHandshakeTimeout.
	HandshakeTimeout time.Duration
	// OnRelease, if set, receives each message on the product's release
	// topic (signal.ReleaseTopic), which the device then subscribes to:
	// the untrusted bytes of an ota.Announcement. It must not block.
	OnRelease func(payload []byte)
	// Agent names the software in the device info.
	Agent  string
	Logger *slog.Logger
	// Observe, if set, hears of the broker connection and sessions
	// (observe.go).
	Observe *Observer
	// Events, if set, are published on the device's events topic
	// (signal.DeviceID.EventsTopic) while the broker is connected.
	Events <-chan event.Event
}

// Server is a running P2P mode.
type Server struct {
	cfg Config
	log *slog.Logger
	api *webrtc.API // data channels only
	// mediaAPI serves offers with media sections: codecs and RTP
	// interceptors, which cost timers that a data-only session need not run.
	mediaAPI *webrtc.API
	info     signal.DeviceInfo
	queue    *fairQueue[*paho.Publish] // incoming messages, by inbox

	mu sync.Mutex // guards sessions, adm and ending
	// ending is set when Run waits for the goroutines in wg: from then
	// on none is added (a WaitGroup may not grow from zero during Wait).
	ending   bool
	sessions map[string]*session
	adm      *admission
	wg       sync.WaitGroup // session goroutines and handlers

	// abuse holds back repeated log lines about one viewer's refusals.
	abuse *throttle.EveryKey
	// unvouched limits the refusals sent to a response topic that no
	// verified token vouches for (run goroutine only).
	unvouched *bucket

	// infoMu orders the info publishes, so that a registration racing
	// with shutdown cannot mark the device online after it went offline.
	// It guards info's OTA field, client and stopping.
	infoMu   sync.Mutex
	stopping bool
	client   *mqttclient.Client // set once connected

	eventsLost atomic.Uint64 // events not published on the broker

	// registered is the number of the registration that holds on the
	// connection now, or 0 while none does (registrations counts them).
	registered    atomic.Uint64
	registrations atomic.Uint64
}

// DefaultHandshakeTimeout is how long a session may take from the answer
// to a completed DTLS handshake. A viewer behind a symmetric NAT first
// allocates a TURN relay (two round trips to the TURN server), then runs
// the ICE checks through it (a few round trips, paced) and the DTLS
// handshake (two more): at a 1 s round trip, a congested mobile link,
// that is about 6 s, so 8 s leaves a margin while a session that will
// never connect holds its place for at most 8 s.
const DefaultHandshakeTimeout = 8 * time.Second

// Refusals of offers that no verified token vouches for (the camera
// cannot tell who sent them, so it answers the response topic named)
// are limited camera-wide, so that the camera cannot be made to write
// into other viewers' inboxes at will.
const (
	unvouchedRate  = 5 // a second
	unvouchedBurst = 20
)

// New checks cfg and returns a server; Run starts it.
func New(cfg Config) (*Server, error) {
	if cfg.Verifier == nil || cfg.DeviceKey == nil || cfg.Handle == nil {
		return nil, errors.New("p2p: a verifier, a device key and a handler are required")
	}
	if cfg.Username == "" {
		cfg.Username = cfg.Device.String()
	}
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = 8
	}
	if cfg.MaxPending <= 0 {
		cfg.MaxPending = max(cfg.MaxSessions/2, 2)
	}
	if cfg.PendingPerSubject <= 0 {
		cfg.PendingPerSubject = 2
	}
	// Below that, one abuser's share would fill the camera and never be
	// evicted.
	cfg.MaxPending = max(cfg.MaxPending, cfg.PendingPerSubject)
	if cfg.SessionsPerSubject <= 0 {
		cfg.SessionsPerSubject = cfg.MaxSessions / 2
	}
	cfg.SessionsPerSubject = max(cfg.SessionsPerSubject, cfg.PendingPerSubject)
	if cfg.OfferRate <= 0 {
		cfg.OfferRate = 1
	}
	if cfg.OfferBurst <= 0 {
		cfg.OfferBurst = 4
	}
	if cfg.HandshakeTimeout <= 0 {
		cfg.HandshakeTimeout = DefaultHandshakeTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	boot := make([]byte, 8)
	_, _ = rand.Read(boot)
	return &Server{
		cfg:      cfg,
		log:      cfg.Logger.With("mode", "p2p"),
		api:      link.NewAPI(cfg.Link),
		mediaAPI: link.NewAPI(withMedia(cfg.Link)),
		info: signal.DeviceInfo{
			Version:   signal.InfoVersion,
			Online:    true,
			Boot:      hex.EncodeToString(boot),
			PublicKey: auth.MarshalPublicKey(cfg.DeviceKey.Public().(ed25519.PublicKey)),
			Since:     time.Now().Unix(),
			Agent:     cfg.Agent,
		},
		queue:    newFairQueue[*paho.Publish](queueMax, queuePerInbox),
		sessions: map[string]*session{},
		adm: newAdmission(limits{maxSessions: cfg.MaxSessions, maxPending: cfg.MaxPending,
			perSubject: cfg.PendingPerSubject, sessionsPerSubject: cfg.SessionsPerSubject,
			rate: cfg.OfferRate, burst: cfg.OfferBurst}),
		abuse:     &throttle.EveryKey{Interval: abuseLogEvery, MaxKeys: maxBuckets},
		unvouched: newBucket(unvouchedRate, unvouchedBurst, time.Now()),
	}, nil
}

// Run registers the device and serves viewers until ctx is done. It
// returns an error only when the broker refuses the device's credentials.
func (s *Server) Run(ctx context.Context) error {
	s.infoMu.Lock()
	offline := s.info
	s.infoMu.Unlock()
	offline.Online = false
	client, err := mqttclient.Connect(ctx, mqttclient.Config{
		URL:      s.cfg.Broker,
		ClientID: s.cfg.Device.String(),
		Username: s.cfg.Username,
		Password: s.cfg.Password,
		Will:     &paho.WillMessage{Topic: s.cfg.Device.InfoTopic(), Payload: offline.Encode(), Retain: true, QoS: 1},
		OnUp:     s.register,
		OnMessage: func(p *paho.Publish) {
			if s.cfg.OnRelease != nil && p.Topic == signal.ReleaseTopic(s.cfg.Device.Product) {
				s.cfg.OnRelease(p.Payload)
				return
			}
			var inbox string
			if p.Properties != nil {
				inbox = p.Properties.ResponseTopic
			}
			if !s.queue.push(inbox, p) {
				s.logAbuse("", "queue\x00"+inbox, "signalling queue of one inbox full: dropped messages", "response_topic", inbox)
			}
		},
		Status: s.cfg.Observe.brokerStatus(),
		Logger: s.log,
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("p2p: %w", err)
	}
	s.infoMu.Lock()
	s.client = client
	s.infoMu.Unlock()
	s.log.Info("P2P mode ready", "device", s.cfg.Device, "boot", s.info.Boot)
	events := make(chan struct{})
	if s.cfg.Events != nil {
		go func() {
			defer close(events)
			s.publishEvents(ctx, client)
		}()
	} else {
		close(events)
	}
	for {
		select {
		case <-s.queue.ready:
			if p, ok := s.queue.pop(); ok {
				s.dispatch(ctx, client, p)
			}
		case <-ctx.Done():
			s.closeAll()
			s.infoMu.Lock()
			s.stopping = true
			// Offline, with the latest update status (the will carries
			// the one at the start).
			last := s.info
			last.Online = false
			pctx, cancel := context.WithTimeout(context.Background(), time.Second)
			_ = client.Publish(pctx, &paho.Publish{Topic: s.cfg.Device.InfoTopic(), Payload: last.Encode(), Retain: true})
			cancel()
			s.infoMu.Unlock()
			<-events
			client.Close()
			s.mu.Lock()
			s.ending = true
			s.mu.Unlock()
			s.wg.Wait()
			return nil
		}
	}
}

// track adds a goroutine for Run to wait for, and reports whether it
// did: not once Run waits for the last of them.
func (s *Server) track() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ending {
		return false
	}
	s.wg.Add(1)
	return true
}

// register subscribes to the device's rpc topic and publishes its info,
// after every (re)connection.
func (s *Server) register(ctx context.Context, c *mqttclient.Client) {
	if err := c.Subscribe(ctx, s.cfg.Device.RPCTopic()); err != nil {
		s.log.Error("cannot receive offers", "err", err)
		return
	}
	if s.cfg.OnRelease != nil {
		if err := c.Subscribe(ctx, signal.ReleaseTopic(s.cfg.Device.Product)); err != nil {
			s.log.Error("cannot hear of releases: updates only on ota_update", "err", err)
		}
	}
	s.infoMu.Lock()
	defer s.infoMu.Unlock()
	if s.stopping {
		return
	}
	if err := c.Publish(ctx, &paho.Publish{Topic: s.cfg.Device.InfoTopic(), Payload: s.info.Encode(), Retain: true}); err != nil {
		s.log.Error("cannot publish device info", "err", err)
		return
	}
	n := s.registrations.Add(1)
	s.registered.Store(n)
	context.AfterFunc(ctx, func() { s.registered.CompareAndSwap(n, 0) })
	s.log.Info("registered", "info_topic", s.cfg.Device.InfoTopic())
}

// Registered reports whether the device is registered on the broker
// connection that is up now: subscribed to offers and its info
// published. A connection that is up but could not register does not
// count.
func (s *Server) Registered() bool { return s.registered.Load() != 0 }

// SetOTA puts st in the device info as its "ota" field (nil removes it)
// and publishes the info again if the device is connected.
func (s *Server) SetOTA(ctx context.Context, st *protocol.OTAStatus) {
	s.infoMu.Lock()
	defer s.infoMu.Unlock()
	s.info.OTA = st
	if s.stopping || s.client == nil {
		return
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := s.client.Publish(pctx, &paho.Publish{Topic: s.cfg.Device.InfoTopic(), Payload: s.info.Encode(), Retain: true}); err != nil {
		s.log.Warn("cannot publish update status", "err", err)
	}
}

// dispatch handles one signalling message. Replies go only to the inbox
// of the offer's token subject, and a session's later messages count
// only from that inbox (see docs/protocol.md, Limits).
func (s *Server) dispatch(ctx context.Context, client *mqttclient.Client, p *paho.Publish) {
	m, err := signal.Decode(p.Payload)
	if err != nil {
		s.logAbuse("", "malformed", "ignored malformed signalling messages", "err", err)
		return
	}
	var inbox string
	var corr []byte
	if p.Properties != nil {
		inbox, corr = p.Properties.ResponseTopic, p.Properties.CorrelationData
	}
	if !validInbox(inbox) || string(corr) != m.Session {
		s.logAbuse("", "inbox", "ignored signalling messages without a valid response topic and correlation data", "type", m.Type, "response_topic", inbox)
		return
	}
	replyTo := func(topic string) func(*signal.Message) {
		return func(r *signal.Message) {
			b, err := r.Encode()
			if err != nil {
				s.log.Error("encode reply", "err", err)
				return
			}
			pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			err = client.Publish(pctx, &paho.Publish{Topic: topic, Payload: b,
				Properties: &paho.PublishProperties{CorrelationData: []byte(r.Session)}})
			if err != nil {
				s.log.Warn("reply lost", "type", r.Type, "err", err)
			}
		}
	}
	sender := ""
	if s.cfg.BrokerVouches {
		if p.Properties != nil {
			sender = p.Properties.User.Get(signal.SenderProperty)
		}
		if sender == "" {
			s.logAbuse("", "unstamped", "ignored signalling messages the broker did not stamp with their sender (is p2p.broker_vouches right for this broker?)", "type", m.Type)
			return
		}
	}
	s.mu.Lock()
	sess := s.sessions[m.Session]
	s.mu.Unlock()
	if m.Type != signal.TypeOffer && sess != nil && (sess.inbox != inbox || s.cfg.BrokerVouches && sender != sess.viewer.Subject) {
		s.logAbuse(sess.viewer.Subject, "foreign", "ignored messages for a session from another sender or inbox than its offer's", "type", m.Type, "response_topic", inbox, "sender", sender)
		return
	}
	switch m.Type {
	case signal.TypeOffer:
		if sess != nil {
			return // a repeated offer
		}
		s.offer(ctx, m, inbox, sender, replyTo)
	case signal.TypeCandidate:
		if sess != nil {
			sess.addCandidate(m.Candidate)
		}
	case signal.TypeBye:
		if sess != nil {
			sess.close("viewer said bye")
		}
	default:
		s.logAbuse("", "type", "ignored signalling messages of a type viewers do not send", "type", m.Type)
	}
}

// abuseLogEvery is how often the camera logs each kind of abuse by one
// subject: a flood of offers gives a line per interval, not per message.
const abuseLogEvery = 10 * time.Second

// logAbuse logs msg at most once per abuseLogEvery for each subject and
// kind, with the number of lines held back since.
func (s *Server) logAbuse(subject, kind, msg string, args ...any) {
	n, ok := s.abuse.Tick(subject+"\x00"+kind, time.Now())
	if !ok {
		return
	}
	if subject != "" {
		args = append(args, "subject", subject)
	}
	s.log.Warn(msg, append(args, "repeats_held_back", n-1, "interval", abuseLogEvery)...)
}

func withMedia(o link.Options) link.Options {
	o.Media = true
	return o
}

func validInbox(topic string) bool {
	parts := strings.Split(topic, "/")
	return len(parts) == 4 && topic == signal.InboxTopic(parts[2]) && signal.ValidClientID(parts[2])
}

// closeAll ends every session.
func (s *Server) closeAll() {
	s.mu.Lock()
	all := make([]*session, 0, len(s.sessions))
	for _, sess := range s.sessions {
		all = append(all, sess)
	}
	s.mu.Unlock()
	for _, sess := range all {
		sess.close("camera shutting down")
	}
}

// Sessions returns the number of live sessions.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sessions)
}

// Pending returns the number of sessions still connecting.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, n := s.adm.counts()
	return n
}
