package cloud

import (
	"bytes"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/pion/turn/v4"
)

var turnSecret = []byte("north-secret")

// udpTimeout bounds each wait for a relayed packet.
const udpTimeout = 5 * time.Second

func TestTURNCredentials(t *testing.T) {
	now := time.Unix(1700000000, 0)
	tests := []struct {
		user, wantUser, wantPass string
	}{
		// Expected passwords: base64(HMAC-SHA1("north-secret", user name)),
		// computed apart from this package.
		{"alice", "1700003600:alice", "Ji4axghh2/aljHmsPgH9mtDGVLw="},
		{"", "1700003600", "8tCWummY7wTNdmkzJ1O8YTimu5A="},
	}
	for _, tt := range tests {
		u, p := TURNCredentials(turnSecret, tt.user, time.Hour, now)
		if u != tt.wantUser || p != tt.wantPass {
			t.Errorf("TURNCredentials(%q) = %q, %q; want %q, %q", tt.user, u, p, tt.wantUser, tt.wantPass)
		}
	}
}

func TestRESTAuthHandler(t *testing.T) {
	now := time.Unix(1700000000, 0)
	src := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5000}
	valid, validPass := TURNCredentials(turnSecret, "alice", time.Minute, now)
	tests := []struct {
		name, username string
		ok             bool
	}{
		{"valid", valid, true},
		{"valid without user", "1700000060", true},
		{"expires now", "1700000000:alice", false},
		{"expired", "1699999999:alice", false},
		{"not a number", "soon:alice", false},
		{"no expiry", "alice", false},
		{"negative", "-5:alice", false},
		{"empty", "", false},
	}
	var logs logBuffer
	h := restAuthHandler(turnSecret, "p2pcam", func() time.Time { return now }, logs.logger())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, ok := h(tt.username, "p2pcam", src)
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if !ok {
				return
			}
			want := turn.GenerateAuthKey(tt.username, "p2pcam", turnPassword(turnSecret, tt.username))
			if !bytes.Equal(key, want) {
				t.Errorf("key = %x, want %x", key, want)
			}
		})
	}
	key, _ := h(valid, "p2pcam", src)
	if !bytes.Equal(key, turn.GenerateAuthKey(valid, "p2pcam", validPass)) {
		t.Error("the handler's key does not match TURNCredentials' password")
	}
	if !logHasLine(logs.String(), `msg="cloud: turn auth refused"`, `user=1699999999:alice`, `reason="credentials expired"`) {
		t.Errorf("no clear log line for expired credentials:\n%s", logs.String())
	}
}

// startTURN starts a TURN server on a free loopback port, closed when the
// test ends.
func startTURN(t testing.TB, cfg TURNConfig) *TURN {
	t.Helper()
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	if cfg.Secret == nil {
		cfg.Secret = turnSecret
	}
	if cfg.Logger == nil {
		cfg.Logger = quietLogger()
	}
	s, err := NewTURN(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// newTURNClient returns a pion TURN client of server with the given
// credentials, listening on a loopback socket, and that socket; both are
// closed when the test ends.
func newTURNClient(t testing.TB, server net.Addr, username, password string) (*turn.Client, net.PacketConn) {
	t.Helper()
	conn, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c, err := turn.NewClient(&turn.ClientConfig{
		STUNServerAddr: server.String(),
		TURNServerAddr: server.String(),
		Username:       username,
		Password:       password,
		Realm:          DefaultRealm,
		Conn:           conn,
		RTO:            100 * time.Millisecond,
		LoggerFactory:  pionLogs{quietLogger()},
	})
	if err != nil {
		conn.Close()
		t.Fatal(err)
	}
	if err := c.Listen(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c.Close()
		conn.Close()
	})
	return c, conn
}

func TestTURNAllocate(t *testing.T) {
	s := startTURN(t, TURNConfig{})
	now := time.Now()
	creds := func(secret []byte, user string, ttl time.Duration) (string, string) {
		return TURNCredentials(secret, user, ttl, now)
	}
	validUser, validPass := creds(turnSecret, "alice", time.Hour)
	anonUser, anonPass := creds(turnSecret, "", time.Hour)
	_, otherPass := creds([]byte("other"), "alice", time.Hour)
	expiredUser, expiredPass := creds(turnSecret, "alice", -time.Minute)
	tests := []struct {
		name, user, pass string
		ok               bool
	}{
		{"valid", validUser, validPass, true},
		{"valid without user name part", anonUser, anonPass, true},
		{"wrong password", validUser, "nope", false},
		{"other secret", validUser, otherPass, false},
		{"expired", expiredUser, expiredPass, false},
		{"malformed user name", "alice", turnPassword(turnSecret, "alice"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newTURNClient(t, s.Addr(), tt.user, tt.pass)
			relay, err := c.Allocate()
			if !tt.ok {
				if err == nil {
					relay.Close()
					t.Fatal("allocation granted")
				}
				return
			}
			if err != nil {
				t.Fatalf("Allocate: %v", err)
			}
			defer relay.Close()
			relayAddr := relay.LocalAddr().(*net.UDPAddr)
			if !relayAddr.IP.Equal(net.IPv4(127, 0, 0, 1)) {
				t.Errorf("relay address %v, want 127.0.0.1", relayAddr)
			}
			relayRoundTrip(t, relay)
		})
	}
}

// relayRoundTrip sends a packet through relay to a loopback peer and a
// reply back, checking both arrive intact and from the right address.
func relayRoundTrip(t *testing.T, relay net.PacketConn) {
	t.Helper()
	peer, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()

	if _, err := relay.WriteTo([]byte("hello peer"), peer.LocalAddr()); err != nil {
		t.Fatalf("relay write: %v", err)
	}
	buf := make([]byte, 1500)
	peer.SetReadDeadline(time.Now().Add(udpTimeout))
	n, from, err := peer.ReadFrom(buf)
	if err != nil {
		t.Fatalf("peer read: %v", err)
	}
	if got := string(buf[:n]); got != "hello peer" {
		t.Errorf("peer got %q", got)
	}
	if from.String() != relay.LocalAddr().String() {
		t.Errorf("peer got the packet from %v, want the relay %v", from, relay.LocalAddr())
	}

	if _, err := peer.WriteTo([]byte("hello client"), from); err != nil {
		t.Fatalf("peer write: %v", err)
	}
	relay.SetReadDeadline(time.Now().Add(udpTimeout))
	n, from, err = relay.ReadFrom(buf)
	if err != nil {
		t.Fatalf("relay read: %v", err)
	}
	if got := string(buf[:n]); got != "hello client" {
		t.Errorf("client got %q", got)
	}
	if from.String() != peer.LocalAddr().String() {
		t.Errorf("client got the reply from %v, want the peer %v", from, peer.LocalAddr())
	}
}

func TestSTUNBinding(t *testing.T) {
	s := startTURN(t, TURNConfig{})
	// STUN needs no credentials.
	c, conn := newTURNClient(t, s.Addr(), "", "")
	mapped, err := c.SendBindingRequest()
	if err != nil {
		t.Fatalf("binding request: %v", err)
	}
	// Over loopback there is no NAT: the server sees the client's socket.
	if mapped.String() != conn.LocalAddr().String() {
		t.Errorf("mapped address %v, want the client's %v", mapped, conn.LocalAddr())
	}
}

func TestTURNPortRange(t *testing.T) {
	port := freeUDPPort(t)
	s := startTURN(t, TURNConfig{MinPort: port, MaxPort: port})
	u, p := TURNCredentials(turnSecret, "alice", time.Hour, time.Now())
	c, _ := newTURNClient(t, s.Addr(), u, p)
	relay, err := c.Allocate()
	if err != nil {
		t.Fatalf("Allocate: %v", err)
	}
	defer relay.Close()
	if got := relay.LocalAddr().(*net.UDPAddr).Port; got != int(port) {
		t.Errorf("relay port %d, want %d", got, port)
	}
}

// freeUDPPort returns a loopback UDP port that was free a moment ago.
func freeUDPPort(t testing.TB) uint16 {
	t.Helper()
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return uint16(c.LocalAddr().(*net.UDPAddr).Port)
}

func TestNewTURNErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  TURNConfig
	}{
		{"no secret", TURNConfig{Listen: "127.0.0.1:0"}},
		{"no port", TURNConfig{Listen: "127.0.0.1", Secret: turnSecret}},
		{"host name", TURNConfig{Listen: "localhost:0", Secret: turnSecret}},
		{"all addresses without relay IP", TURNConfig{Listen: "0.0.0.0:0", Secret: turnSecret}},
		{"max port only", TURNConfig{Listen: "127.0.0.1:0", Secret: turnSecret, MaxPort: 50000}},
		{"min port only", TURNConfig{Listen: "127.0.0.1:0", Secret: turnSecret, MinPort: 50000}},
		{"reversed ports", TURNConfig{Listen: "127.0.0.1:0", Secret: turnSecret, MinPort: 50001, MaxPort: 50000}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := NewTURN(tt.cfg)
			if err == nil {
				s.Close()
				t.Fatal("accepted")
			}
			if !errors.Is(err, ErrConfig) {
				t.Errorf("err = %v, want ErrConfig", err)
			}
		})
	}
}

func TestTURNLifecycle(t *testing.T) {
	var logs logBuffer
	s, err := NewTURN(TURNConfig{Listen: "127.0.0.1:0", Secret: turnSecret, Logger: logs.logger()})
	if err != nil {
		t.Fatal(err)
	}
	addr := s.Addr().(*net.UDPAddr)
	if addr.Port == 0 || !addr.IP.IsLoopback() {
		t.Errorf("Addr = %v", addr)
	}
	if s.Realm() != DefaultRealm {
		t.Errorf("Realm = %q", s.Realm())
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	c, err := net.ListenPacket("udp4", addr.String())
	if err != nil {
		t.Fatalf("port still bound after Close: %v", err)
	}
	c.Close()
	if !strings.Contains(logs.String(), `msg="cloud: turn server listening"`) {
		t.Errorf("no start log line:\n%s", logs.String())
	}
}
