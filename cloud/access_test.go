package cloud

import (
	"fmt"
	"testing"

	"github.com/eclipse/paho.golang/paho"
)

// The accounts of the access tests, with their plain passwords.
var (
	accCam1  = testAccount{"acme/cam1", RoleDevice, "pw-cam1"}
	accCam2  = testAccount{"acme/cam2", RoleDevice, "pw-cam2"}
	accAlice = testAccount{"alice", RoleViewer, "pw-alice"}
	accBob   = testAccount{"bob", RoleViewer, "pw-bob"}
	accRel   = testAccount{"releaser", RoleRelease, "pw-rel"}
	accounts = []testAccount{accCam1, accCam2, accAlice, accBob, accRel}
)

// MQTT 5 reason codes the embedded broker's tests expect.
const (
	rcSuccess         = 0x00
	rcGrantedQoS1     = 0x01
	rcBadUserPassword = 0x86
	rcNotAuthorized   = 0x87
)

// deliveryCase is one publish and one subscription: is the message
// delivered?
type deliveryCase struct {
	name       string
	sub        testAccount
	filter     string
	pub        testAccount
	topic      string // "" publishes nothing: no message at all may arrive
	retain     bool   // publish first, retained; the subscriber reads it later
	deliver    bool
	subDenied  bool // the embedded broker answers SUBACK 0x87
	pubDenied  bool // the embedded broker answers PUBACK 0x87
	anyMessage bool // no message at all may arrive, not just this one
}

var deliveryCases = []deliveryCase{
	{name: "device info retained to viewer wildcard", pub: accCam1, topic: "p2pcam/acme/cam1/info", retain: true,
		sub: accAlice, filter: "p2pcam/+/+/info", deliver: true},
	{name: "device info retained to viewer exact", pub: accCam2, topic: "p2pcam/acme/cam2/info", retain: true,
		sub: accBob, filter: "p2pcam/acme/cam2/info", deliver: true},
	{name: "device info live to viewer", sub: accAlice, filter: "p2pcam/acme/+/info",
		pub: accCam1, topic: "p2pcam/acme/cam1/info", deliver: true},
	{name: "viewer offer reaches device", sub: accCam1, filter: "p2pcam/acme/cam1/rpc",
		pub: accAlice, topic: "p2pcam/acme/cam1/rpc", deliver: true},
	{name: "device answer reaches viewer inbox", sub: accAlice, filter: "p2pcam/viewer/alice/inbox",
		pub: accCam1, topic: "p2pcam/viewer/alice/inbox", deliver: true},

	{name: "viewer reads other inbox", sub: accBob, filter: "p2pcam/viewer/alice/inbox",
		pub: accCam1, topic: "p2pcam/viewer/alice/inbox", subDenied: true},
	{name: "viewer reads every inbox", sub: accBob, filter: "p2pcam/viewer/+/inbox",
		pub: accCam1, topic: "p2pcam/viewer/alice/inbox", subDenied: true},
	{name: "viewer reads everything", sub: accBob, filter: "#",
		pub: accCam1, topic: "p2pcam/viewer/alice/inbox", subDenied: true},
	{name: "viewer reads device rpc", sub: accBob, filter: "p2pcam/acme/cam1/rpc",
		pub: accAlice, topic: "p2pcam/acme/cam1/rpc", subDenied: true},
	{name: "viewer reads $SYS", sub: accBob, filter: "$SYS/#", subDenied: true, anyMessage: true},
	{name: "device reads other device rpc", sub: accCam2, filter: "p2pcam/acme/cam1/rpc",
		pub: accAlice, topic: "p2pcam/acme/cam1/rpc", subDenied: true},
	{name: "device reads product rpc wildcard", sub: accCam2, filter: "p2pcam/acme/+/rpc",
		pub: accAlice, topic: "p2pcam/acme/cam1/rpc", subDenied: true},
	{name: "device reads viewer inbox", sub: accCam2, filter: "p2pcam/viewer/alice/inbox",
		pub: accCam1, topic: "p2pcam/viewer/alice/inbox", subDenied: true},
	{name: "device reads $SYS", sub: accCam2, filter: "$SYS/#", subDenied: true, anyMessage: true},

	{name: "device spoofs other device info", sub: accAlice, filter: "p2pcam/+/+/info",
		pub: accCam2, topic: "p2pcam/acme/cam1/info", pubDenied: true},
	{name: "device spoofs other device info retained", pub: accCam2, topic: "p2pcam/acme/cam1/info", retain: true,
		sub: accAlice, filter: "p2pcam/acme/cam1/info", pubDenied: true},
	{name: "viewer spoofs device info", sub: accBob, filter: "p2pcam/acme/cam1/info",
		pub: accAlice, topic: "p2pcam/acme/cam1/info", pubDenied: true},
	{name: "viewer writes other viewer inbox", sub: accBob, filter: "p2pcam/viewer/bob/inbox",
		pub: accAlice, topic: "p2pcam/viewer/bob/inbox", pubDenied: true},
	// Release announcements: a release account writes them, devices of
	// the product read them, nobody else does either.
	{name: "release retained to device", pub: accRel, topic: "p2pcam/ota/acme/release", retain: true,
		sub: accCam1, filter: "p2pcam/ota/acme/release", deliver: true},
	{name: "release live to device", sub: accCam2, filter: "p2pcam/ota/acme/release",
		pub: accRel, topic: "p2pcam/ota/acme/release", deliver: true},
	{name: "device reads other product release", sub: accCam1, filter: "p2pcam/ota/other/release",
		pub: accRel, topic: "p2pcam/ota/other/release", subDenied: true},
	{name: "device reads every release", sub: accCam1, filter: "p2pcam/ota/+/release",
		pub: accRel, topic: "p2pcam/ota/other/release", subDenied: true},
	{name: "viewer reads release", sub: accAlice, filter: "p2pcam/ota/acme/release",
		pub: accRel, topic: "p2pcam/ota/acme/release", subDenied: true},
	{name: "device spoofs release", sub: accCam2, filter: "p2pcam/ota/acme/release",
		pub: accCam1, topic: "p2pcam/ota/acme/release", pubDenied: true},
	{name: "viewer spoofs release retained", pub: accAlice, topic: "p2pcam/ota/acme/release", retain: true,
		sub: accCam1, filter: "p2pcam/ota/acme/release", pubDenied: true},
	{name: "release account writes device rpc", sub: accCam1, filter: "p2pcam/acme/cam1/rpc",
		pub: accRel, topic: "p2pcam/acme/cam1/rpc", pubDenied: true},
	{name: "device writes device rpc", sub: accCam2, filter: "p2pcam/acme/cam2/rpc",
		pub: accCam1, topic: "p2pcam/acme/cam2/rpc", pubDenied: true},
}

// runDeliveryCases runs deliveryCases against the broker at addr; the
// embedded broker's SUBACK and PUBACK reason codes are checked too.
// mosquitto acknowledges some denied requests as granted and only
// withholds delivery, so for it only delivery is checked.
func runDeliveryCases(t *testing.T, addr string, embedded bool) {
	for i, tc := range deliveryCases {
		t.Run(tc.name, func(t *testing.T) {
			payload := fmt.Sprintf("case %d: %s", i, tc.name)
			publish := func() {
				if tc.topic == "" {
					return
				}
				pc := mustDial(t, addr, tc.pub)
				rc := pc.publish(t, tc.topic, payload, tc.retain)
				if embedded {
					want := byte(rcSuccess)
					if tc.pubDenied {
						want = rcNotAuthorized
					}
					if rc != want {
						t.Errorf("%s publishing %q: PUBACK 0x%02x, want 0x%02x", tc.pub.name, tc.topic, rc, want)
					}
				}
			}
			if tc.retain {
				publish()
			}
			sc := mustDial(t, addr, tc.sub)
			rc := sc.subscribe(t, tc.filter)
			if embedded {
				want := byte(rcGrantedQoS1)
				if tc.subDenied {
					want = rcNotAuthorized
				}
				if rc != want {
					t.Errorf("%s subscribing %q: SUBACK 0x%02x, want 0x%02x", tc.sub.name, tc.filter, rc, want)
				}
			}
			if !tc.retain {
				publish()
			}
			switch {
			case tc.deliver:
				m, ok := sc.await(payload, mqttTimeout)
				if !ok {
					t.Fatalf("%s did not receive %q published by %s on %q", tc.sub.name, payload, tc.pub.name, tc.topic)
				}
				if m.Topic != tc.topic {
					t.Errorf("received on %q, want %q", m.Topic, tc.topic)
				}
			case tc.anyMessage:
				if m, ok := sc.anyWithin(quietInterval); ok {
					t.Errorf("%s subscribed %q and received %q on %q", tc.sub.name, tc.filter, m.Payload, m.Topic)
				}
			default:
				if m, ok := sc.await(payload, quietInterval); ok {
					t.Errorf("%s received forbidden %q on %q", tc.sub.name, m.Payload, m.Topic)
				}
			}
		})
	}
}

// loginCase is one CONNECT: is it accepted?
type loginCase struct {
	name         string
	login        mqttLogin
	ok           bool
	embeddedOnly bool // mosquitto does not enforce it the same way
}

var loginCases = []loginCase{
	{name: "device", login: mqttLogin{user: "acme/cam1", clientID: "acme/cam1", password: "pw-cam1"}, ok: true},
	{name: "viewer", login: mqttLogin{user: "alice", clientID: "alice:s1", password: "pw-alice"}, ok: true},
	{name: "viewer second session", login: mqttLogin{user: "alice", clientID: "alice:s2", password: "pw-alice"}, ok: true},
	{name: "wrong password", login: mqttLogin{user: "alice", clientID: "alice:s1", password: "pw-bob"}},
	{name: "empty password", login: mqttLogin{user: "alice", clientID: "alice:s1"}},
	{name: "unknown user", login: mqttLogin{user: "mallory", clientID: "mallory:s1", password: "pw-alice"}},
	{name: "viewer without session suffix", login: mqttLogin{user: "alice", clientID: "alice", password: "pw-alice"}, embeddedOnly: true},
	{name: "viewer as a device id", login: mqttLogin{user: "alice", clientID: "acme/cam1", password: "pw-alice"}, embeddedOnly: true},
	{name: "anonymous", login: mqttLogin{clientID: "anon"}},
	{name: "client id of another account", login: mqttLogin{user: "alice", clientID: "bob:s1", password: "pw-alice"}, embeddedOnly: true},
	{name: "empty client id", login: mqttLogin{user: "alice", password: "pw-alice"}, embeddedOnly: true},
	{name: "will on own info", ok: true, login: mqttLogin{user: "acme/cam1", clientID: "acme/cam1", password: "pw-cam1",
		will: &paho.WillMessage{Topic: "p2pcam/acme/cam1/info", Payload: []byte("offline"), Retain: true, QoS: 1}}},
	{name: "will on other device info", embeddedOnly: true, login: mqttLogin{user: "acme/cam2", clientID: "acme/cam2", password: "pw-cam2",
		will: &paho.WillMessage{Topic: "p2pcam/acme/cam1/info", Payload: []byte("offline"), Retain: true, QoS: 1}}},
}

// runLoginCases runs loginCases against the broker at addr.
func runLoginCases(t *testing.T, addr string, embedded bool) {
	for _, tc := range loginCases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.embeddedOnly && !embedded {
				t.Skip("the embedded broker's rule only")
			}
			_, ca, err := dialMQTT(t, addr, tc.login)
			if tc.ok {
				if err != nil {
					t.Fatalf("refused: %v (connack %+v)", err, ca)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			if ca == nil {
				t.Fatalf("no CONNACK: %v", err)
			}
			if ca.ReasonCode < 0x80 {
				t.Errorf("CONNACK reason 0x%02x is not a refusal", ca.ReasonCode)
			}
			if embedded && ca.ReasonCode != rcBadUserPassword {
				t.Errorf("CONNACK reason 0x%02x, want 0x%02x", ca.ReasonCode, rcBadUserPassword)
			}
		})
	}
}

// willCase is a will message left by an account whose connection drops:
// is it delivered to a viewer reading every device's info?
type willCase struct {
	name    string
	acc     testAccount
	topic   string
	deliver bool
}

var willCases = []willCase{
	{"device will on own info", accCam1, "p2pcam/acme/cam1/info", true},
	{"device will on other device info", accCam2, "p2pcam/acme/cam1/info", false},
	{"viewer will on device info", accAlice, "p2pcam/acme/cam1/info", false},
}

// runWillCases runs willCases against the broker at addr. The embedded
// broker refuses a CONNECT whose will it forbids; mosquitto accepts it
// and never delivers the will.
func runWillCases(t *testing.T, addr string) {
	for i, tc := range willCases {
		t.Run(tc.name, func(t *testing.T) {
			payload := fmt.Sprintf("will %d: %s", i, tc.name)
			sub := mustDial(t, addr, accBob)
			if rc := sub.subscribe(t, "p2pcam/+/+/info"); rc >= 0x80 {
				t.Fatalf("SUBACK 0x%02x", rc)
			}
			mc, ca, err := dialMQTT(t, addr, mqttLogin{user: tc.acc.name, clientID: tc.acc.clientID(), password: tc.acc.password,
				will: &paho.WillMessage{Topic: tc.topic, Payload: []byte(payload), QoS: 1}})
			switch {
			case err == nil:
				mc.c.TerminateConnectionForTest() // no DISCONNECT: the will is sent
			case tc.deliver:
				t.Fatalf("connect with will on %q refused: %v (connack %+v)", tc.topic, err, ca)
			}
			wait := quietInterval
			if tc.deliver {
				wait = mqttTimeout
			}
			if _, ok := sub.await(payload, wait); ok != tc.deliver {
				t.Errorf("will of %s on %q delivered = %v, want %v", tc.acc.name, tc.topic, ok, tc.deliver)
			}
		})
	}
}
