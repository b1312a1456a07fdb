package p2p_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/protocol"
	"github.com/p2pcam/p2pcam/signal"
)

// TestMalformedSignalling: messages a viewer can put on the camera's rpc
// topic that are malformed, oversized, misaddressed or badly
// authorised. Each gets the reply it should (or none), the camera logs
// each kind once, and a viewer still connects and plays after them all.
func TestMalformedSignalling(t *testing.T) {
	for _, b := range brokers {
		t.Run(b.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			cam := upCamera(ctx, t, b, nil, "bob", 1)
			alice := connectUser(t, cam.broker, "alice", "fuzz")
			own := signal.InboxTopic("alice")
			now := time.Now()
			otherDevice, _ := auth.Sign(cam.issuer, auth.Claims{Device: "test/other", Subject: "alice", Perms: auth.PermAll, IssuedAt: now, Expiry: now.Add(time.Hour)})
			sdp := realOffer(t)
			offer := func(session, token, sdp string) []byte {
				m := &signal.Message{Type: signal.TypeOffer, Session: session, Token: token, SDP: sdp}
				b, err := m.Encode()
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
			tests := []struct {
				name    string
				session string
				payload []byte
				inbox   string
				corr    string // the session's if empty
				reply   protocol.Status
			}{
				{name: "not JSON", payload: []byte("hello")},
				{name: "not UTF-8", payload: []byte("{\"type\":\"bye\",\"session\":\"\xff\xfe\"}")},
				{name: "unknown field", payload: []byte(`{"type":"bye","session":"PLACEHOLDER_SESSION_ID_X","admin":true}`)},
				{name: "unknown type", payload: []byte(`{"type":"hello","session":"PLACEHOLDER_SESSION_ID_X"}`)},
				{name: "oversized", payload: offer("PLACEHOLDER_SESSION_ID_X", cam.tokenFor("alice"), sdp+strings.Repeat("a=x\r\n", signal.MaxMessageSize/5))},
				{name: "answer from a viewer", payload: []byte(`{"type":"answer","session":"PLACEHOLDER_SESSION_ID_X","sdp":"v=0","sig":"AAEC"}`)},
				{name: "no response topic", payload: offer("PLACEHOLDER_SESSION_ID_X", cam.tokenFor("alice"), sdp), inbox: "-"},
				{name: "response topic not an inbox", payload: offer("PLACEHOLDER_SESSION_ID_X", cam.tokenFor("alice"), sdp), inbox: cam.device.InfoTopic()},
				{name: "correlation data of another session", payload: offer("PLACEHOLDER_SESSION_ID_X", cam.tokenFor("alice"), sdp), corr: sessionID()},
				{name: "garbage token", payload: offer("PLACEHOLDER_SESSION_ID_X", "p2pcam1.garbage.garbage", sdp), reply: protocol.StatusUnauthorized},
				{name: "token for another device", payload: offer("PLACEHOLDER_SESSION_ID_X", otherDevice, sdp), reply: protocol.StatusUnauthorized},
				{name: "garbage SDP", payload: offer("PLACEHOLDER_SESSION_ID_X", cam.tokenFor("alice"), "v=0\r\nnonsense\r\n"), reply: protocol.StatusBadRequest},
			}
			for i := range tests {
				tt := &tests[i]
				tt.session = sessionID()
				tt.payload = []byte(strings.ReplaceAll(string(tt.payload), "PLACEHOLDER_SESSION_ID_X", tt.session))
				inbox := own
				switch tt.inbox {
				case "-":
					inbox = ""
				case "":
				default:
					inbox = tt.inbox
				}
				corr := tt.session
				if tt.corr != "" {
					corr = tt.corr
				}
				if err := alice.sendRaw(ctx, cam.device, tt.payload, inbox, []byte(corr)); err != nil {
					t.Fatalf("%s: %v", tt.name, err)
				}
			}
			// The camera still answers, after it has handled those.
			sync := sessionID()
			if err := alice.sendRaw(ctx, cam.device, offer(sync, cam.tokenFor("alice"), sdp), own, []byte(sync)); err != nil {
				t.Fatal(err)
			}
			if !alice.await(10*time.Second, func(ms []*signal.Message) bool { return count(ofSession(ms, sync), signal.TypeAnswer, 0) > 0 }) {
				t.Fatal("the camera stopped answering")
			}
			alice.await(quiet, func([]*signal.Message) bool { return false })
			got := alice.received()
			for _, tt := range tests {
				ms := ofSession(got, tt.session)
				switch {
				case tt.reply == 0 && len(ms) > 0:
					t.Errorf("%s: got %+v, want no reply", tt.name, ms[0])
				case tt.reply != 0 && (len(ms) != 1 || ms[0].Type != signal.TypeError || ms[0].Status != int(tt.reply)):
					t.Errorf("%s: got %d replies %+v, want one error %d", tt.name, len(ms), ms, tt.reply)
				}
			}
			if n := len(logLines(cam.logs, "ignored malformed signalling messages")); n != 1 {
				t.Errorf("%d log lines for 5 malformed messages, want 1", n)
			}
			if _, _, err := cam.play(ctx, "bob", 64<<10); err != nil {
				t.Fatal("after the malformed messages:", err)
			}
		})
	}
}
