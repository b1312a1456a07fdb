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
	log    *slog.Logger
	pc     *webrtc.PeerConnection
	viewer protocol.Viewer
	tracks *link.Tracks    // nil when the offer has no media sections
	ctx    context.Context // cancelled when the session ends
	cancel context.CancelFunc
	once   sync.Once
}

// offer checks the viewer's token, answers its offer and starts the
// session.
func (s *Server) offer(ctx context.Context, m *signal.Message, reply func(*signal.Message)) {
	log := s.log.With("session", m.Session[:8])
	refuse := func(st protocol.Status, msg string) {
		log.Info("refused viewer", "status", st, "reason", msg)
		reply(&signal.Message{Type: signal.TypeError, Session: m.Session, Status: int(st), Error: msg})
	}
	claims, err := s.cfg.Verifier.Verify(m.Token, 0)
	if err != nil {
		refuse(protocol.StatusUnauthorized, err.Error())
		return
	}
	log = log.With("subject", claims.Subject)
	s.mu.Lock()
	full := len(s.sessions) >= s.cfg.MaxSessions
	s.mu.Unlock()
	if full {
		refuse(protocol.StatusTooMany, "too many sessions")
		return
	}
	api := s.api
	if link.OfferHasMedia(m.SDP) {
		api = s.mediaAPI
	}
	pc, err := api.NewPeerConnection(webrtc.Configuration{ICEServers: s.cfg.ICEServers})
	if err != nil {
		refuse(protocol.StatusBusy, "cannot start a session")
		log.Error("new peer connection", "err", err)
		return
	}
	sctx, cancel := context.WithCancel(ctx)
	sess := &session{
		s: s, id: m.Session, log: log, pc: pc, ctx: sctx, cancel: cancel,
		viewer: protocol.Viewer{Addr: "p2p:" + m.Session[:8], Subject: claims.Subject, Perms: claims.Perms},
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
			if p, err := link.SelectedPath(pc); err == nil {
				log.Info("viewer connected", "path", p.Kind(), "remote", p.RemoteAddr)
			}
		case webrtc.PeerConnectionStateFailed:
			sess.close("connection failed")
		case webrtc.PeerConnectionStateClosed:
			sess.close("connection closed")
		}
	})
	pc.OnDataChannel(sess.channel)

	answer, err := sess.answer(m.SDP)
	if err != nil {
		_ = pc.Close()
		cancel()
		refuse(protocol.StatusBadRequest, err.Error())
		return
	}
	s.mu.Lock()
	s.sessions[m.Session] = sess
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

	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTimer(setupTimeout)
		defer t.Stop()
		select {
		case <-t.C:
			if pc.ConnectionState() != webrtc.PeerConnectionStateConnected {
				sess.close("viewer never connected")
			}
		case <-sctx.Done():
		}
	}()
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
	sess.s.wg.Add(1)
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

// close ends the session and frees everything it held.
func (sess *session) close(reason string) {
	sess.once.Do(func() {
		sess.cancel()
		s := sess.s
		s.mu.Lock()
		delete(s.sessions, sess.id)
		n := len(s.sessions)
		s.mu.Unlock()
		// Not inline: pion's callbacks, from which close is often called,
		// must return before the connection can close.
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			_ = sess.pc.Close()
		}()
		sess.log.Info("session ended", "reason", reason, "sessions", n)
	})
}
