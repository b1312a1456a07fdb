package p2p

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/link"
	"github.com/p2pcam/p2pcam/protocol"
	"github.com/p2pcam/p2pcam/signal"
)

// KeepaliveLabel names a data channel that carries no request: viewers
// open it so that an offer has a data section before any request.
const KeepaliveLabel = "_"

// session is one viewer's peer connection.
type session struct {
	s      *Server
	id     string
	inbox  string // the offer's response topic: its token subject's inbox
	reply  func(*signal.Message)
	log    *slog.Logger
	pc     *webrtc.PeerConnection
	viewer protocol.Viewer
	tracks *link.Tracks    // nil when the offer has no media sections
	ctx    context.Context // cancelled when the session ends
	cancel context.CancelFunc
	once   sync.Once
	timer  *time.Timer // the handshake deadline
	// early is the offer's live request until a request channel takes
	// it over (nil without one); guarded by earlyMu.
	early     *early
	earlyMu   sync.Mutex
	earlyOnce sync.Once
}

// offer checks the viewer's token, its inbox and sender, admits the
// session (or refuses it), answers the offer and starts the session.
// inbox is the offer's response topic, sender the user the broker vouches
// sent it ("" when it does not); replyTo replies to a topic.
func (s *Server) offer(ctx context.Context, m *signal.Message, inbox, sender string, replyTo func(string) func(*signal.Message)) {
	offered := time.Now()
	log := s.log.With("session", m.Session[:8])
	claims, err := s.cfg.Verifier.Verify(m.Token, 0)
	if err != nil {
		// Who sent it is unknown: the offered inbox is the only place to
		// say why, and the camera-wide limit keeps that from being a way
		// to write into other viewers' inboxes.
		s.logAbuse("", "token", "refused offers with a bad token", "err", err, "response_topic", inbox)
		if s.unvouched.take(time.Now()) {
			replyTo(inbox)(&signal.Message{Type: signal.TypeError, Session: m.Session, Status: int(protocol.StatusUnauthorized), Error: err.Error()})
		}
		return
	}
	subject := claims.Subject
	log = log.With("subject", subject)
	if !signal.ValidClientID(subject) || inbox != signal.InboxTopic(subject) || s.cfg.BrokerVouches && sender != subject {
		// The answer, its candidates (host addresses) and any error go
		// only to the inbox of the subject the issuer vouches for: an
		// offer naming another inbox gets nothing there. The subject
		// hears why, within the camera-wide limit of such replies.
		s.logAbuse(subject, "reflect", "ignored offers whose response topic is not the inbox of their token's subject, or whose sender is not that subject", "response_topic", inbox, "sender", sender)
		if signal.ValidClientID(subject) && s.unvouched.take(time.Now()) {
			replyTo(signal.InboxTopic(subject))(&signal.Message{Type: signal.TypeError, Session: m.Session, Status: int(protocol.StatusUnauthorized),
				Error: "the offer must come from the token's subject " + subject + " and name its inbox " + signal.InboxTopic(subject) + " as its response topic"})
		}
		return
	}
	reply := replyTo(inbox)
	s.mu.Lock()
	evict, err := s.adm.admit(m.Session, subject, time.Now())
	var victims []*session
	for _, id := range evict {
		if v := s.sessions[id]; v != nil {
			victims = append(victims, v)
		}
	}
	s.mu.Unlock()
	for _, v := range victims {
		v.fail(ErrEvicted)
		s.logAbuse(v.viewer.Subject, "evicted", "dropped sessions still connecting to make room", "for_subject", subject)
	}
	if err != nil {
		s.logAbuse(subject, "refused", "refused offers", "err", err)
		reply(&signal.Message{Type: signal.TypeError, Session: m.Session, Status: int(protocol.StatusTooMany), Error: err.Error()})
		return
	}
	unbook := func() {
		s.mu.Lock()
		s.adm.remove(m.Session)
		s.mu.Unlock()
	}
	api := s.api
	if link.OfferHasMedia(m.SDP) {
		api = s.mediaAPI
	}
	pc, err := api.NewPeerConnection(webrtc.Configuration{ICEServers: s.cfg.ICEServers})
	if err != nil {
		unbook()
		log.Error("new peer connection", "err", err)
		reply(&signal.Message{Type: signal.TypeError, Session: m.Session, Status: int(protocol.StatusBusy), Error: "cannot start a session"})
		return
	}
	sctx, cancel := context.WithCancel(ctx)
	sess := &session{
		s: s, id: m.Session, inbox: inbox, reply: reply, log: log, pc: pc, ctx: sctx, cancel: cancel,
		viewer: protocol.Viewer{Addr: "p2p:" + m.Session[:8], Subject: subject, Perms: claims.Perms},
	}
	link.OnLost(pc, func() { sess.close("viewer lost") })
	link.OnPathChange(pc, func(p link.Path) {
		log.Info("viewer path", "path", p.Kind(), "local", p.LocalAddr, "remote", p.RemoteAddr)
	})
	pc.OnICECandidate(func(c *webrtc.ICECandidate) {
		cand := &signal.Candidate{} // nil: gathering is complete
		if c != nil {
			init := c.ToJSON()
			cand = &signal.Candidate{Candidate: init.Candidate, SDPMid: init.SDPMid, SDPMLineIndex: init.SDPMLineIndex}
		}
		reply(&signal.Message{Type: signal.TypeCandidate, Session: m.Session, Candidate: cand})
	})
	pc.OnConnectionStateChange(func(st webrtc.PeerConnectionState) {
		log.Debug("peer connection", "state", st)
		switch st {
		case webrtc.PeerConnectionStateConnected:
			sess.connected()
			sess.startEarly()
			if p, err := link.SelectedPath(pc); err == nil {
				log.Info("viewer connected", "path", p.Kind(), "remote", p.RemoteAddr)
				s.cfg.Observe.connected(p, time.Since(offered))
			}
		case webrtc.PeerConnectionStateFailed:
			sess.close("connection failed")
		case webrtc.PeerConnectionStateClosed:
			sess.close("connection closed")
		}
	})
	pc.OnDataChannel(sess.channel)

	answer, err := sess.answer(m.SDP)
	if err == nil && m.Live != "" {
		err = sess.setEarly(m.Live)
	}
	if err != nil {
		_ = pc.Close()
		cancel()
		unbook()
		s.logAbuse(subject, "bad offer", "refused bad offers", "err", err)
		reply(&signal.Message{Type: signal.TypeError, Session: m.Session, Status: int(protocol.StatusBadRequest), Error: err.Error()})
		return
	}
	s.mu.Lock()
	s.sessions[m.Session] = sess
	// Armed under the lock, so that close (which takes it) sees the timer.
	sess.timer = time.AfterFunc(s.cfg.HandshakeTimeout, func() { sess.fail(ErrHandshakeTimeout) })
	s.mu.Unlock()
	sig := auth.SignMessage(s.cfg.DeviceKey, "answer", signal.AnswerSigningBytes(m.Session, m.SDP, answer))
	reply(&signal.Message{Type: signal.TypeAnswer, Session: m.Session, SDP: answer, Signature: sig})
	if sess.tracks != nil {
		log.Info("session started", "sessions", s.Sessions(), "video", sess.tracks.HasVideo(), "audio", sess.tracks.HasAudio(), "h264", sess.tracks.VideoFmtp)
		if sess.tracks.HasVideo() && !sess.tracks.ProfileMatched {
			log.Warn("the viewer offered no H.264 profile that plays the camera's stream; sending it anyway", "h264", sess.tracks.VideoFmtp)
		}
	} else {
		log.Info("session started", "sessions", s.Sessions())
	}
}

// connected records the completed handshake: the session no longer
// counts as pending and its deadline is off.
func (sess *session) connected() {
	s := sess.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sessions[sess.id] != sess {
		return // already ended
	}
	s.adm.connected(sess.id, time.Now())
	if sess.timer != nil {
		sess.timer.Stop()
	}
}

// fail ends a session that is still connecting, telling the viewer why;
// a connected one is left alone.
func (sess *session) fail(why error) {
	if sess.pc.ConnectionState() == webrtc.PeerConnectionStateConnected {
		return
	}
	if sess.close(why.Error()) {
		// After the close: once told, the viewer finds the place free.
		sess.reply(&signal.Message{Type: signal.TypeError, Session: sess.id, Status: int(protocol.StatusTooMany), Error: why.Error()})
	}
}

// answer applies the offer and returns the answer SDP.
func (sess *session) answer(offer string) (string, error) {
	if err := sess.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}); err != nil {
		return "", errors.New("bad offer: " + err.Error())
	}
	// Media sections: the camera's tracks go into the answer.
	var sps []byte
	if sess.s.cfg.VideoSPS != nil {
		sps = sess.s.cfg.VideoSPS()
	}
	tracks, err := link.AttachTracks(sess.pc, sps)
	if err != nil {
		return "", errors.New("cannot answer with media tracks: " + err.Error())
	}
	sess.tracks = tracks
	ans, err := sess.pc.CreateAnswer(nil)
	if err != nil {
		return "", errors.New("cannot answer: " + err.Error())
	}
	if err := sess.pc.SetLocalDescription(ans); err != nil {
		return "", errors.New("cannot answer: " + err.Error())
	}
	return sess.pc.LocalDescription().SDP, nil
}

func (sess *session) addCandidate(c *signal.Candidate) {
	if c.Candidate == "" {
		return // end of candidates
	}
	err := sess.pc.AddICECandidate(webrtc.ICECandidateInit{Candidate: c.Candidate, SDPMid: c.SDPMid, SDPMLineIndex: c.SDPMLineIndex})
	if err != nil {
		sess.log.Info("bad candidate from viewer", "err", err)
	}
}

// channel serves a data channel the viewer opened: its label is the
// request.
func (sess *session) channel(dc *webrtc.DataChannel) {
	if dc.Label() == KeepaliveLabel {
		return
	}
	if !sess.s.track() {
		return
	}
	started := false
	defer func() {
		if !started {
			sess.s.wg.Done()
		}
	}()
	select {
	case <-sess.ctx.Done():
		return
	default:
	}
	started = true
	link.ServeSession(dc, sess.tracks, func(w *link.Responder) {
		defer sess.s.wg.Done()
		if e := sess.takeEarly(dc.Label()); e != nil && e.adopt(w) {
			// The offer's live request, started when the connection came
			// up, goes on as this channel's.
			select {
			case <-e.finished:
			case <-sess.ctx.Done():
			}
			_ = w.Flush()
			_ = w.Close()
			return
		}
		ctx, cancel := context.WithCancel(sess.ctx)
		defer cancel()
		go func() {
			select {
			case <-w.Done():
				cancel()
			case <-ctx.Done():
			}
		}()
		sess.s.cfg.Handle(ctx, sess.viewer, dc.Label(), w)
		_ = w.Flush()
		_ = w.Close()
	})
}

// close ends the session and frees everything it held. It reports
// whether this call ended it.
func (sess *session) close(reason string) (ended bool) {
	sess.once.Do(func() {
		ended = true
		sess.cancel()
		s := sess.s
		s.mu.Lock()
		if s.sessions[sess.id] == sess {
			delete(s.sessions, sess.id)
			s.adm.remove(sess.id)
		}
		if sess.timer != nil {
			sess.timer.Stop()
		}
		n := len(s.sessions)
		s.mu.Unlock()
		// Not inline: pion's callbacks, from which close is often called,
		// must return before the connection can close.
		tracked := s.track() // false once Run no longer waits
		go func() {
			if tracked {
				defer s.wg.Done()
			}
			_ = sess.pc.Close()
		}()
		sess.log.Info("session ended", "reason", reason, "sessions", n)
	})
	return ended
}

// setEarly keeps the offer's live request: an ipc.track request, for a
// session with media tracks.
func (sess *session) setEarly(line string) error {
	req, err := protocol.Parse(line)
	if err != nil {
		return errors.New("the offer's live request: " + err.Error())
	}
	if req.Kind != protocol.KindTrack || sess.tracks == nil {
		return errors.New("the offer's live request must be an ipc.track request, in an offer with media sections")
	}
	sess.earlyMu.Lock()
	sess.early = newEarly(line, sess.tracks)
	sess.earlyMu.Unlock()
	return nil
}

// startEarly starts the offer's live request, once, when the connection
// is up.
func (sess *session) startEarly() {
	sess.earlyMu.Lock()
	e := sess.early
	sess.earlyMu.Unlock()
	if e == nil {
		return
	}
	sess.earlyOnce.Do(func() {
		s := sess.s
		if !s.track() {
			return
		}
		go func() {
			defer s.wg.Done()
			e.run(sess.ctx, func(ctx context.Context, w Responder) { s.cfg.Handle(ctx, sess.viewer, e.line, w) })
		}()
	})
}

// takeEarly returns the offer's live request for a request channel
// asking line, once; nil when there is none for that line.
func (sess *session) takeEarly(line string) *early {
	sess.earlyMu.Lock()
	defer sess.earlyMu.Unlock()
	e := sess.early
	if e == nil || e.line != line {
		return nil
	}
	sess.early = nil
	return e
}
