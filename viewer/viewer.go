// Package viewer is the Go SDK for watching p2pcam cameras over P2P: it
// finds the camera through MQTT signalling, checks that the answer comes
// from the camera's own key, connects with WebRTC (direct where the NATs
// allow, TURN where not), and makes requests on data channels, as the
// camera's LAN mode takes them over HTTP. With Config.Tracks it also
// receives live video and audio on WebRTC media tracks (ipc.track).
package viewer

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eclipse/paho.golang/paho"
	"github.com/pion/rtcp"
	"github.com/pion/sctp"
	"github.com/pion/webrtc/v4"

	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/discovery"
	"github.com/p2pcam/p2pcam/link"
	"github.com/p2pcam/p2pcam/signal"
	"github.com/p2pcam/p2pcam/signal/mqttclient"
)

// Config says how to reach a camera.
type Config struct {
	Broker   string // mqtt://host:port
	Username string // the viewer's broker account; its replies come to its inbox
	Password string
	Device   signal.DeviceID
	// Token authorises the viewer on the camera (package auth).
	Token      string
	ICEServers []webrtc.ICEServer
	// DeviceKey pins the camera's public key. When nil, the key from the
	// camera's retained device info is trusted: that guards against a
	// tampered answer but not against a broker that lies about the key.
	DeviceKey ed25519.PublicKey
	Link      link.Options
	Logger    *slog.Logger

	// Tracks asks for WebRTC media tracks: the offer gets a recvonly
	// video and an audio transceiver (sendrecv with Microphone, recvonly
	// without), and the camera answers with an H.264 and a PCMA track.
	// They carry nothing until an ipc.track request (see Conn.Request:
	// its Body carries nothing, close it to stop the feed; another
	// ipc.track request switches quality).
	Tracks bool
	// Live, with Tracks, is the ipc.track request the viewer will make
	// first (such as "ipc.track?action=live&channel=0&quality=high"):
	// the offer names it, and the camera starts it as soon as the
	// connection is up; the Request for the same line takes that stream
	// over (signal.Message.Live).
	Live string
	// Microphone, with Tracks, is sent to the camera on the audio track
	// (PCMA or PCMU at 8 kHz); the camera plays it while a
	// "voice?channel=0&transport=track" request is open.
	Microphone webrtc.TrackLocal
	// OnTrack, with Tracks, is called for each of the camera's tracks
	// once its first packet arrives; read its RTP there (ReadRTP) until
	// it fails. It runs on a goroutine of its own per track.
	OnTrack func(*webrtc.TrackRemote, *webrtc.RTPReceiver)

	// PreferLAN makes Open probe the local networks for the camera
	// (package discovery) first and use its LAN mode when it answers.
	PreferLAN bool
	// Discovery tunes that probe (targets, port, timeout: 1 s by
	// default). Its Filter is set to the device.
	Discovery discovery.BrowseConfig
}

// Errors a Dial can end with.
var (
	ErrOffline  = errors.New("viewer: camera is offline")
	ErrRefused  = errors.New("viewer: camera refused the session")
	ErrBadKey   = errors.New("viewer: answer is not signed by the camera's key")
	ErrNoAnswer = errors.New("viewer: camera did not answer")
)

// Why a session ended by itself (Conn.Err).
var (
	// ErrCameraClosed means the camera closed the session: it stopped,
	// restarted or ended the session.
	ErrCameraClosed = errors.New("viewer: the camera closed the connection")
	// ErrConnectionLost means the camera went silent (it died, or the
	// network between failed) and ICE gave up.
	ErrConnectionLost = errors.New("viewer: the connection to the camera dropped")
)

// infoWait bounds the wait for the camera's retained info.
const infoWait = 5 * time.Second

// Conn is a P2P session with one camera. Several requests can run on it
// at once.
type Conn struct {
	cfg     Config
	log     *slog.Logger
	session string
	mq      *mqttclient.Client
	pc      *webrtc.PeerConnection
	done    chan struct{}
	once    sync.Once
	closing atomic.Bool // Close was called
	err     error       // why the session ended by itself; set before done closes
	info    signal.DeviceInfo
	started time.Time
}

// Dial connects to the camera. It returns once the peer connection is up.
func Dial(ctx context.Context, cfg Config) (*Conn, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	c := &Conn{cfg: cfg, session: hex.EncodeToString(id), done: make(chan struct{}), started: time.Now()}
	c.log = cfg.Logger.With("device", cfg.Device, "session", c.session[:8])

	msgs := make(chan *paho.Publish, 64)
	inbox := signal.InboxTopic(cfg.Username)
	subscribed := make(chan error, 1)
	mq, err := mqttclient.Connect(ctx, mqttclient.Config{
		// One account may hold several sessions, so the client id is the
		// account plus the session; replies go to the account's inbox.
		URL: cfg.Broker, ClientID: signal.ViewerClientID(cfg.Username, c.session[:8]), Username: cfg.Username, Password: cfg.Password,
		// A viewer is waiting: say at once that the broker cannot be
		// reached, rather than retry in silence until ctx ends.
		FailFast: true,
		OnUp: func(ctx context.Context, mq *mqttclient.Client) {
			// Again after every reconnection: the broker forgets a
			// dropped connection's subscriptions.
			err := mq.Subscribe(ctx, inbox)
			if err == nil {
				err = mq.Subscribe(ctx, c.cfg.Device.InfoTopic())
			}
			select {
			case subscribed <- err:
			default:
			}
		},
		OnMessage: func(p *paho.Publish) {
			select {
			case msgs <- p:
			default:
			}
		},
		Logger: c.log,
	})
	if err != nil {
		return nil, fmt.Errorf("viewer: %w", err)
	}
	c.mq = mq
	select {
	case err = <-subscribed:
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err == nil {
		err = c.dial(ctx, msgs, inbox)
	}
	if err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func (c *Conn) dial(ctx context.Context, msgs <-chan *paho.Publish, inbox string) error {
	key, err := c.awaitInfo(ctx, msgs)
	if err != nil {
		return err
	}

	lo := c.cfg.Link
	lo.Media = c.cfg.Tracks
	pc, err := link.NewAPI(lo).NewPeerConnection(webrtc.Configuration{ICEServers: c.cfg.ICEServers})
	if err != nil {
		return fmt.Errorf("viewer: %w", err)
	}
	c.pc = pc
	connected := make(chan struct{})
	var connOnce sync.Once
	link.OnLost(pc, func() { c.once.Do(func() { close(c.done) }) })
	pc.OnConnectionStateChange(func(st webrtc.PeerConnectionState) {
		switch st {
		case webrtc.PeerConnectionStateConnected:
			connOnce.Do(func() { close(connected) })
		case webrtc.PeerConnectionStateFailed:
			c.end(ErrConnectionLost)
			// The requests' channels would wait for a camera that is
			// gone; closing the connection ends them with an error. Not
			// inline: pion's callback must return first.
			go func() { _ = pc.Close() }()
		case webrtc.PeerConnectionStateClosed:
			if c.closing.Load() {
				c.end(nil)
			} else {
				c.end(ErrCameraClosed)
			}
		}
	})
	// A camera that closes its peer connection aborts the SCTP
	// association at once, while ICE would take seconds to notice.
	// The association ends with an abort (an error), or EOF (nil);
	// unless the viewer closed it, the camera did.
	pc.SCTP().OnClose(func(err error) {
		if c.closing.Load() {
			return
		}
		if err == nil || errors.Is(err, sctp.ErrChunk) {
			c.end(ErrCameraClosed)
		} else {
			c.end(ErrConnectionLost)
		}
		_ = pc.Close() // OnClose runs on its own goroutine
	})
	send := func(m *signal.Message) {
		b, err := m.Encode()
		if err != nil {
			c.log.Error("encode signalling message", "err", err)
			return
		}
		pctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err = c.mq.Publish(pctx, &paho.Publish{Topic: c.cfg.Device.RPCTopic(), Payload: b,
			Properties: &paho.PublishProperties{ResponseTopic: inbox, CorrelationData: []byte(c.session)}})
		if err != nil {
			c.log.Warn("signalling message lost", "type", m.Type, "err", err)
		}
	}
	// Candidates go out as they are found (trickle ICE), but only after
	// the offer, which must reach the camera first.
	var candMu sync.Mutex
	var held []*signal.Candidate
	offerSent := false
	pc.OnICECandidate(func(ic *webrtc.ICECandidate) {
		cand := &signal.Candidate{}
		if ic != nil {
			init := ic.ToJSON()
			cand = &signal.Candidate{Candidate: init.Candidate, SDPMid: init.SDPMid, SDPMLineIndex: init.SDPMLineIndex}
		}
		candMu.Lock()
		defer candMu.Unlock()
		if !offerSent {
			held = append(held, cand)
			return
		}
		send(&signal.Message{Type: signal.TypeCandidate, Session: c.session, Candidate: cand})
	})
	if _, err := pc.CreateDataChannel("_", nil); err != nil {
		return fmt.Errorf("viewer: %w", err)
	}
	if c.cfg.Tracks {
		if err := c.addTransceivers(); err != nil {
			return err
		}
	}
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		return fmt.Errorf("viewer: %w", err)
	}
	if err := pc.SetLocalDescription(offer); err != nil {
		return fmt.Errorf("viewer: %w", err)
	}
	offerSDP := pc.LocalDescription().SDP
	candMu.Lock()
	offerMsg := &signal.Message{Type: signal.TypeOffer, Session: c.session, Token: c.cfg.Token, SDP: offerSDP}
	if c.cfg.Tracks {
		offerMsg.Live = c.cfg.Live
	}
	send(offerMsg)
	offerSent = true
	for _, cand := range held {
		send(&signal.Message{Type: signal.TypeCandidate, Session: c.session, Candidate: cand})
	}
	held = nil
	candMu.Unlock()

	return c.awaitConnected(ctx, msgs, key, offerSDP, connected)
}

// addTransceivers adds the media sections of a session with tracks.
func (c *Conn) addTransceivers() error {
	recv := webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}
	if _, err := c.pc.AddTransceiverFromKind(webrtc.RTPCodecTypeVideo, recv); err != nil {
		return fmt.Errorf("viewer: video transceiver: %w", err)
	}
	if c.cfg.Microphone != nil {
		if _, err := c.pc.AddTransceiverFromTrack(c.cfg.Microphone,
			webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendrecv}); err != nil {
			return fmt.Errorf("viewer: audio transceiver: %w", err)
		}
	} else if _, err := c.pc.AddTransceiverFromKind(webrtc.RTPCodecTypeAudio, recv); err != nil {
		return fmt.Errorf("viewer: audio transceiver: %w", err)
	}
	if c.cfg.OnTrack != nil {
		c.pc.OnTrack(c.cfg.OnTrack)
	}
	return nil
}

// WriteRTCP sends RTCP to the camera, such as a picture loss indication
// for its video track (rtcp.PictureLossIndication with the track's SSRC).
func (c *Conn) WriteRTCP(pkts []rtcp.Packet) error { return c.pc.WriteRTCP(pkts) }

// awaitInfo waits for the camera's retained info and returns the key its
// answer must be signed with.
func (c *Conn) awaitInfo(ctx context.Context, msgs <-chan *paho.Publish) (ed25519.PublicKey, error) {
	t := time.NewTimer(infoWait)
	defer t.Stop()
	for {
		select {
		case p := <-msgs:
			if p.Topic != c.cfg.Device.InfoTopic() {
				continue
			}
			info, err := signal.DecodeDeviceInfo(p.Payload)
			if err != nil {
				return nil, fmt.Errorf("viewer: camera info: %w", err)
			}
			if !info.Online {
				return nil, fmt.Errorf("%w: %s", ErrOffline, c.cfg.Device)
			}
			key, err := auth.ParsePublicKey(info.PublicKey)
			if err != nil {
				return nil, fmt.Errorf("viewer: camera info: %w", err)
			}
			if c.cfg.DeviceKey != nil && !c.cfg.DeviceKey.Equal(key) {
				return nil, fmt.Errorf("%w: the broker's info names another key than the pinned one", ErrBadKey)
			}
			c.info = info
			return key, nil
		case <-t.C:
			return nil, fmt.Errorf("%w: no device info for %s", ErrOffline, c.cfg.Device)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// awaitConnected handles the camera's replies until ICE connects.
func (c *Conn) awaitConnected(ctx context.Context, msgs <-chan *paho.Publish, key ed25519.PublicKey, offerSDP string, connected <-chan struct{}) error {
	answered := false
	var early []*signal.Candidate
	for {
		select {
		case p := <-msgs:
			if p.Properties == nil || string(p.Properties.CorrelationData) != c.session {
				continue
			}
			m, err := signal.Decode(p.Payload)
			if err != nil || m.Session != c.session {
				c.log.Info("ignored signalling message", "err", err)
				continue
			}
			switch m.Type {
			case signal.TypeError:
				return fmt.Errorf("%w: %d %s", ErrRefused, m.Status, m.Error)
			case signal.TypeAnswer:
				if answered {
					continue
				}
				if err := auth.VerifyMessage(key, "answer", signal.AnswerSigningBytes(c.session, offerSDP, m.SDP), m.Signature); err != nil {
					return fmt.Errorf("%w: %v", ErrBadKey, err)
				}
				if err := c.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: m.SDP}); err != nil {
					return fmt.Errorf("viewer: bad answer: %w", err)
				}
				answered = true
				for _, cand := range early {
					c.addCandidate(cand)
				}
				early = nil
			case signal.TypeCandidate:
				if !answered {
					early = append(early, m.Candidate)
					continue
				}
				c.addCandidate(m.Candidate)
			}
		case <-connected:
			go c.trickle(msgs)
			if p, err := c.Path(); err == nil {
				c.log.Info("connected", "path", p.Kind(), "remote", p.RemoteAddr, "after", time.Since(c.started).Round(time.Millisecond))
			}
			return nil
		case <-c.done:
			return errors.New("viewer: connection failed")
		case <-ctx.Done():
			if !answered {
				return fmt.Errorf("%w: %v", ErrNoAnswer, ctx.Err())
			}
			return ctx.Err()
		}
	}
}

// trickle applies candidates that arrive after the connection is up.
func (c *Conn) trickle(msgs <-chan *paho.Publish) {
	for {
		select {
		case p := <-msgs:
			if m, err := signal.Decode(p.Payload); err == nil && m.Type == signal.TypeCandidate && m.Session == c.session {
				c.addCandidate(m.Candidate)
			}
		case <-c.done:
			return
		}
	}
}

func (c *Conn) addCandidate(cand *signal.Candidate) {
	if cand.Candidate == "" {
		return
	}
	if err := c.pc.AddICECandidate(webrtc.ICECandidateInit{Candidate: cand.Candidate, SDPMid: cand.SDPMid, SDPMLineIndex: cand.SDPMLineIndex}); err != nil {
		c.log.Info("bad candidate from camera", "err", err)
	}
}

// Request sends one request line, such as
// "ipc.flv?action=live&channel=0&quality=high", and returns the answer.
// Close its Body to end a stream. Read every Body you open, or close it:
// the requests of a session share one receive window, and a body left
// unread stalls the others once it fills.
func (c *Conn) Request(ctx context.Context, line string) (*link.Response, error) {
	dc, err := c.pc.CreateDataChannel(line, nil)
	if err != nil {
		return nil, fmt.Errorf("viewer: %w", err)
	}
	return link.ReadResponse(ctx, dc)
}

// Path reports the network path of the session.
func (c *Conn) Path() (link.Path, error) { return link.SelectedPath(c.pc) }

// Info returns the camera's device info.
func (c *Conn) Info() signal.DeviceInfo { return c.info }

// Done is closed when the session fails or is closed.
func (c *Conn) Done() <-chan struct{} { return c.done }

// Err tells, once Done is closed, why the session ended by itself:
// ErrCameraClosed or ErrConnectionLost; nil after Close, or before Done.
func (c *Conn) Err() error {
	select {
	case <-c.done:
		return c.err
	default:
		return nil
	}
}

// end ends the session for the reason err, once.
func (c *Conn) end(err error) {
	c.once.Do(func() {
		c.err = err
		close(c.done)
	})
}

// Close ends the session: it tells the camera, closes the peer connection
// and leaves the broker.
func (c *Conn) Close() {
	c.closing.Store(true)
	if c.pc != nil {
		if b, err := (&signal.Message{Type: signal.TypeBye, Session: c.session}).Encode(); err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			_ = c.mq.Publish(ctx, &paho.Publish{Topic: c.cfg.Device.RPCTopic(), Payload: b,
				Properties: &paho.PublishProperties{ResponseTopic: signal.InboxTopic(c.cfg.Username), CorrelationData: []byte(c.session)}})
			cancel()
		}
		_ = c.pc.Close()
	}
	c.end(nil)
	c.mq.Close()
}
