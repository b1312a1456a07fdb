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
	"time"

	"github.com/eclipse/paho.golang/paho"
	"github.com/pion/webrtc/v4"

	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/link"
	"github.com/p2pcam/p2pcam/protocol"
	"github.com/p2pcam/p2pcam/signal"
	"github.com/p2pcam/p2pcam/signal/mqttclient"
)

// Handler serves one request on its data channel, returning when the
// answer is complete or ctx is done.
type Handler func(ctx context.Context, v protocol.Viewer, line string, w *link.Responder)

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
	// MaxSessions bounds concurrent peer connections (each may carry
	// several requests). It defaults to 64.
	MaxSessions int
	// Agent names the software in the device info.
	Agent  string
	Logger *slog.Logger
	// Observe, if set, hears of the broker connection and sessions
	// (observe.go).
	Observe *Observer
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
	msgs     chan *paho.Publish

	mu       sync.Mutex // guards sessions
	sessions map[string]*session
	wg       sync.WaitGroup // session goroutines and handlers

	// infoMu orders the info publishes, so that a registration racing
	// with shutdown cannot mark the device online after it went offline.
	infoMu   sync.Mutex
	stopping bool
}

// setupTimeout frees a session whose viewer never completes ICE.
const setupTimeout = 15 * time.Second

// New checks cfg and returns a server; Run starts it.
func New(cfg Config) (*Server, error) {
	if cfg.Verifier == nil || cfg.DeviceKey == nil || cfg.Handle == nil {
		return nil, errors.New("p2p: a verifier, a device key and a handler are required")
	}
	if cfg.Username == "" {
		cfg.Username = cfg.Device.String()
	}
	if cfg.MaxSessions == 0 {
		cfg.MaxSessions = 64
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
		msgs:     make(chan *paho.Publish, 256),
		sessions: map[string]*session{},
	}, nil
}

// Run registers the device and serves viewers until ctx is done. It
// returns an error only when the broker refuses the device's credentials.
func (s *Server) Run(ctx context.Context) error {
	offline := s.info
	offline.Online = false
	client, err := mqttclient.Connect(ctx, mqttclient.Config{
		URL:      s.cfg.Broker,
		ClientID: s.cfg.Device.String(),
		Username: s.cfg.Username,
		Password: s.cfg.Password,
		Will:     &paho.WillMessage{Topic: s.cfg.Device.InfoTopic(), Payload: offline.Encode(), Retain: true, QoS: 1},
		OnUp:     s.register,
		OnMessage: func(p *paho.Publish) {
			select {
			case s.msgs <- p:
			default:
				s.log.Warn("signalling queue full: dropped a message", "topic", p.Topic)
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
	s.log.Info("P2P mode ready", "device", s.cfg.Device, "boot", s.info.Boot)
	for {
		select {
		case p := <-s.msgs:
			s.dispatch(ctx, client, p)
		case <-ctx.Done():
			s.closeAll()
			s.infoMu.Lock()
			s.stopping = true
			pctx, cancel := context.WithTimeout(context.Background(), time.Second)
			_ = client.Publish(pctx, &paho.Publish{Topic: s.cfg.Device.InfoTopic(), Payload: offline.Encode(), Retain: true})
			cancel()
			s.infoMu.Unlock()
			client.Close()
			s.wg.Wait()
			return nil
		}
	}
}

// register subscribes to the device's rpc topic and publishes its info,
// after every (re)connection.
func (s *Server) register(ctx context.Context, c *mqttclient.Client) {
	if err := c.Subscribe(ctx, s.cfg.Device.RPCTopic()); err != nil {
		s.log.Error("cannot receive offers", "err", err)
		return
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
	s.log.Info("registered", "info_topic", s.cfg.Device.InfoTopic())
}

// dispatch handles one signalling message.
func (s *Server) dispatch(ctx context.Context, client *mqttclient.Client, p *paho.Publish) {
	m, err := signal.Decode(p.Payload)
	if err != nil {
		s.log.Info("ignored signalling message", "err", err)
		return
	}
	var inbox string
	var corr []byte
	if p.Properties != nil {
		inbox, corr = p.Properties.ResponseTopic, p.Properties.CorrelationData
	}
	if !validInbox(inbox) || string(corr) != m.Session {
		s.log.Info("ignored signalling message without a valid response topic and correlation data", "type", m.Type, "response_topic", inbox)
		return
	}
	reply := func(r *signal.Message) {
		b, err := r.Encode()
		if err != nil {
			s.log.Error("encode reply", "err", err)
			return
		}
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		err = client.Publish(pctx, &paho.Publish{Topic: inbox, Payload: b,
			Properties: &paho.PublishProperties{CorrelationData: []byte(m.Session)}})
		if err != nil {
			s.log.Warn("reply lost", "type", r.Type, "err", err)
		}
	}
	s.mu.Lock()
	sess := s.sessions[m.Session]
	s.mu.Unlock()
	switch m.Type {
	case signal.TypeOffer:
		if sess != nil {
			return // a repeated offer
		}
		s.offer(ctx, m, reply)
	case signal.TypeCandidate:
		if sess != nil {
			sess.addCandidate(m.Candidate)
		}
	case signal.TypeBye:
		if sess != nil {
			sess.close("viewer said bye")
		}
	default:
		s.log.Info("ignored signalling message", "type", m.Type)
	}
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
