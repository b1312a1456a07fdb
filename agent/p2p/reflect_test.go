package p2p_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/p2pcam/p2pcam/agent/p2p"
	"github.com/p2pcam/p2pcam/link"
	"github.com/p2pcam/p2pcam/protocol"
	"github.com/p2pcam/p2pcam/signal"
)

// rawSession is a viewer's session set up by hand, so that the test
// knows its session id (the viewer SDK keeps it to itself).
type rawSession struct {
	id string
	u  *mqttUser
	pc *webrtc.PeerConnection
}

// rawDial connects user to the camera step by step, as the viewer SDK
// does: offer, answer, candidates both ways.
func rawDial(ctx context.Context, t *testing.T, cam *camera, user string) *rawSession {
	rs := &rawSession{id: sessionID(), u: connectUser(t, cam.broker, user, "raw")}
	pc, err := link.NewAPI(link.Options{LoopbackOnly: true}).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pc.Close() })
	rs.pc = pc
	connected := make(chan struct{})
	pc.OnConnectionStateChange(func(st webrtc.PeerConnectionState) {
		if st == webrtc.PeerConnectionStateConnected {
			close(connected)
		}
	})
	inbox := signal.InboxTopic(user)
	offered := make(chan struct{})
	pc.OnICECandidate(func(c *webrtc.ICECandidate) {
		<-offered
		cand := &signal.Candidate{}
		if c != nil {
			init := c.ToJSON()
			cand = &signal.Candidate{Candidate: init.Candidate, SDPMid: init.SDPMid, SDPMLineIndex: init.SDPMLineIndex}
		}
		_ = rs.u.send(ctx, cam.device, &signal.Message{Type: signal.TypeCandidate, Session: rs.id, Candidate: cand}, inbox)
	})
	if _, err := pc.CreateDataChannel("_", nil); err != nil {
		t.Fatal(err)
	}
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := pc.SetLocalDescription(offer); err != nil {
		t.Fatal(err)
	}
	if err := rs.u.send(ctx, cam.device, &signal.Message{Type: signal.TypeOffer, Session: rs.id, Token: cam.tokenFor(user), SDP: offer.SDP}, inbox); err != nil {
		t.Fatal(err)
	}
	close(offered)
	seen := 0
	answered := false
	for {
		for _, m := range rs.u.received()[seen:] {
			seen++
			if m.Session != rs.id {
				continue
			}
			switch m.Type {
			case signal.TypeError:
				t.Fatalf("%s refused: %d %s", user, m.Status, m.Error)
			case signal.TypeAnswer:
				if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: m.SDP}); err != nil {
					t.Fatal(err)
				}
				answered = true
			case signal.TypeCandidate:
				if answered && m.Candidate.Candidate != "" {
					_ = pc.AddICECandidate(webrtc.ICECandidateInit{Candidate: m.Candidate.Candidate, SDPMid: m.Candidate.SDPMid, SDPMLineIndex: m.Candidate.SDPMLineIndex})
				}
			}
		}
		select {
		case <-connected:
			return rs
		case <-rs.u.new:
		case <-time.After(100 * time.Millisecond):
		case <-ctx.Done():
			t.Fatalf("%s: no connection: %v", user, ctx.Err())
		}
	}
}

// ofSession returns the messages of session id.
func ofSession(msgs []*signal.Message, id string) []*signal.Message {
	var out []*signal.Message
	for _, m := range msgs {
		if m.Session == id {
			out = append(out, m)
		}
	}
	return out
}

// quiet is how long a test waits for a message that must not come, once
// a later message shows the camera has handled the one that would cause
// it.
const quiet = 500 * time.Millisecond

// TestReflection: the camera replies only to the inbox of the offer's
// token subject, and a session's later messages count only from the
// inbox its offer named.
func TestReflection(t *testing.T) {
	for _, b := range brokers {
		t.Run(b.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			cam := upCamera(ctx, t, b, nil, "alice", 1)
			bobInbox := connectUser(t, cam.broker, "bob", "monitor")
			alice := connectUser(t, cam.broker, "alice", "evil")

			// alice's offer, her own valid token, naming bob's inbox.
			evil := sessionID()
			offer := &signal.Message{Type: signal.TypeOffer, Session: evil, Token: cam.tokenFor("alice"), SDP: realOffer(t)}
			if err := alice.send(ctx, cam.device, offer, signal.InboxTopic("bob")); err != nil {
				t.Fatal(err)
			}
			if !alice.await(10*time.Second, func(ms []*signal.Message) bool { return len(ofSession(ms, evil)) > 0 }) {
				t.Fatal("alice was not told why her offer went unanswered")
			}
			if m := ofSession(alice.received(), evil)[0]; m.Type != signal.TypeError || m.Status != int(protocol.StatusUnauthorized) || !strings.Contains(m.Error, "inbox") {
				t.Errorf("alice got %+v, want a 401 about the inbox", m)
			}
			if bobInbox.await(quiet, func(ms []*signal.Message) bool { return len(ms) > 0 }) {
				t.Fatalf("the camera wrote into bob's inbox for alice's offer: %+v", bobInbox.received())
			}
			if len(logLines(cam.logs, "not the inbox of their token's subject")) != 1 {
				t.Error("the camera did not log the offer naming another inbox")
			}

			// bob's session; alice learns its id and sends its messages
			// from her inbox: a bye, a candidate and an offer.
			bob := rawDial(ctx, t, cam, "bob")
			sessions := cam.srv.Sessions()
			for _, m := range []*signal.Message{
				{Type: signal.TypeBye, Session: bob.id},
				{Type: signal.TypeCandidate, Session: bob.id, Candidate: &signal.Candidate{Candidate: "candidate:1 1 udp 2130706431 127.0.0.1 9 typ host", SDPMid: ptr("0")}},
				{Type: signal.TypeOffer, Session: bob.id, Token: cam.tokenFor("alice"), SDP: realOffer(t)},
			} {
				if err := alice.send(ctx, cam.device, m, signal.InboxTopic("alice")); err != nil {
					t.Fatal(err)
				}
			}
			// Her next offer is answered after those were handled: one
			// inbox's messages are served in order.
			sync := sessionID()
			if err := alice.send(ctx, cam.device, &signal.Message{Type: signal.TypeOffer, Session: sync, Token: cam.tokenFor("alice"), SDP: realOffer(t)}, signal.InboxTopic("alice")); err != nil {
				t.Fatal(err)
			}
			if !alice.await(10*time.Second, func(ms []*signal.Message) bool { return count(ofSession(ms, sync), signal.TypeAnswer, 0) > 0 }) {
				t.Fatal("alice's own offer was not answered")
			}
			if st := bob.pc.ConnectionState(); st != webrtc.PeerConnectionStateConnected {
				t.Errorf("bob's session is %v after alice's messages for it", st)
			}
			if n := cam.srv.Sessions(); n != sessions+1 { // alice's own
				t.Errorf("%d sessions after alice's bye for bob's and her own offer, want %d", n, sessions+1)
			}
			if len(ofSession(alice.received(), bob.id)) != 0 {
				t.Error("the camera answered alice's offer that reused bob's session id")
			}
			if len(logLines(cam.logs, "from another sender or inbox than its offer's")) != 1 {
				t.Error("the camera did not log the messages for bob's session from alice's inbox")
			}
			// Naming bob's inbox too, and claiming to be bob: a broker
			// that vouches for senders tells the camera it is alice.
			if b.vouches {
				bye, _ := (&signal.Message{Type: signal.TypeBye, Session: bob.id}).Encode()
				if err := alice.sendAs(ctx, cam.device, bye, signal.InboxTopic("bob"), []byte(bob.id), "bob"); err != nil {
					t.Fatal(err)
				}
				sync := sessionID()
				m := &signal.Message{Type: signal.TypeOffer, Session: sync, Token: cam.tokenFor("alice"), SDP: realOffer(t)}
				if err := alice.send(ctx, cam.device, m, signal.InboxTopic("alice")); err != nil {
					t.Fatal(err)
				}
				if !alice.await(10*time.Second, func(ms []*signal.Message) bool { return len(ofSession(ms, sync)) > 0 }) {
					t.Fatal("alice's own offer was not answered")
				}
				// Her bye went into the queue of bob's inbox: give it time.
				bobInbox.await(quiet, func([]*signal.Message) bool { return false })
				if st := bob.pc.ConnectionState(); st != webrtc.PeerConnectionStateConnected {
					t.Errorf("bob's session is %v after alice's bye from his inbox", st)
				}
				for _, line := range logLines(cam.logs, "viewer said bye") {
					if strings.Contains(line, "session="+bob.id[:8]) {
						t.Errorf("alice's bye naming bob's inbox ended his session: %s", line)
					}
				}
			} else {
				t.Log("mosquitto does not vouch for senders: who knows a session's id and names its inbox can send its messages")
			}
			// bob's own bye ends it.
			if err := bob.u.send(ctx, cam.device, &signal.Message{Type: signal.TypeBye, Session: bob.id}, signal.InboxTopic("bob")); err != nil {
				t.Fatal(err)
			}
			if _, ok := cam.logs.WaitFor(10*time.Second, "viewer said bye", "session="+bob.id[:8]); !ok {
				t.Error("bob's bye did not end his session")
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// TestUnvouchedBrokerIgnored: a camera told that its broker vouches for
// senders ignores messages that carry no sender stamp, and says so.
// mosquitto stamps nothing; a viewer's own stamp would pass through it
// (the reason the camera must be told, not guess).
func TestUnvouchedBrokerIgnored(t *testing.T) {
	cam := startCamera(t, startMosquitto(t), func(c *p2p.Config) { c.BrokerVouches = true })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	alice := connectUser(t, cam.broker, "alice", "unstamped")
	// Once the camera is up, its info is retained: wait for it.
	if _, ok := cam.logs.WaitFor(15*time.Second, "registered"); !ok {
		t.Fatal("the camera never registered")
	}
	id := sessionID()
	m := &signal.Message{Type: signal.TypeOffer, Session: id, Token: cam.tokenFor("alice"), SDP: realOffer(t)}
	if err := alice.send(ctx, cam.device, m, signal.InboxTopic("alice")); err != nil {
		t.Fatal(err)
	}
	if _, ok := cam.logs.WaitFor(10*time.Second, "did not stamp"); !ok {
		t.Error("the camera did not say it ignored an unstamped message")
	}
	if alice.await(quiet, func(ms []*signal.Message) bool { return len(ms) > 0 }) {
		t.Errorf("the camera answered an unstamped offer: %+v", alice.received())
	}
}
