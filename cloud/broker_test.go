package cloud

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// startBroker starts an embedded broker on a free loopback port with the
// test accounts; it is closed when the test ends.
func startBroker(t testing.TB, cfg BrokerConfig) *Broker {
	t.Helper()
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	if cfg.Users == nil {
		cfg.Users = testUsers(t, accounts...)
	}
	if cfg.Logger == nil {
		cfg.Logger = quietLogger()
	}
	b, err := NewBroker(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func TestBrokerLogin(t *testing.T) {
	b := startBroker(t, BrokerConfig{})
	runLoginCases(t, b.Addr().String(), true)
}

func TestBrokerDelivery(t *testing.T) {
	b := startBroker(t, BrokerConfig{})
	runDeliveryCases(t, b.Addr().String(), true)
}

func TestBrokerLogsRefusals(t *testing.T) {
	var logs logBuffer
	b := startBroker(t, BrokerConfig{Logger: logs.logger()})
	addr := b.Addr().String()
	if _, _, err := dialMQTT(t, addr, mqttLogin{user: "alice", clientID: "alice:s1", password: "nope"}); err == nil {
		t.Fatal("wrong password accepted")
	}
	c := mustDial(t, addr, accBob)
	if rc := c.subscribe(t, "p2pcam/viewer/alice/inbox"); rc != rcNotAuthorized {
		t.Errorf("SUBACK 0x%02x, want 0x87", rc)
	}
	for _, want := range [][]string{
		{`level=WARN`, `msg="cloud: mqtt login refused"`, `user=alice client=alice`, `reason="wrong password or invalid session credential"`},
		{`level=INFO`, `msg="cloud: mqtt login"`, `user=bob role=viewer`},
		{`level=WARN`, `msg="cloud: mqtt access denied"`, `user=bob client=bob:test op=read topic=p2pcam/viewer/alice/inbox`},
	} {
		if !logHasLine(logs.String(), want...) {
			t.Errorf("logs lack a line with %q:\n%s", want, logs.String())
		}
	}
	if strings.Contains(logs.String(), "nope") {
		t.Error("logs contain the password")
	}
}

func TestNewBrokerErrors(t *testing.T) {
	users := testUsers(t, accAlice)
	tests := []struct {
		name    string
		cfg     BrokerConfig
		wantErr error
	}{
		{"invalid user", BrokerConfig{Listen: "127.0.0.1:0", Users: []User{{Name: "alice", Role: RoleViewer, PasswordHash: "x"}}}, ErrInvalidUser},
		{"duplicate user", BrokerConfig{Listen: "127.0.0.1:0", Users: append(users, users...)}, ErrUserExists},
		{"listen without port", BrokerConfig{Listen: "127.0.0.1", Users: users}, ErrConfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewBroker(tt.cfg)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestBrokerLifecycle(t *testing.T) {
	b, err := NewBroker(BrokerConfig{Listen: "127.0.0.1:0", Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	if b.Addr() != nil {
		t.Errorf("Addr before Start = %v, want nil", b.Addr())
	}
	if err := b.Start(); err != nil {
		t.Fatal(err)
	}
	addr, ok := b.Addr().(*net.TCPAddr)
	if !ok || addr.Port == 0 || !addr.IP.IsLoopback() {
		t.Fatalf("Addr = %v, want a loopback TCP address with a real port", b.Addr())
	}
	if err := b.Start(); err == nil {
		t.Error("second Start succeeded")
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	// The port is free again.
	l, err := net.Listen("tcp", addr.String())
	if err != nil {
		t.Fatalf("port still bound after Close: %v", err)
	}
	l.Close()
}

func TestBrokerListenInUse(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	b, err := NewBroker(BrokerConfig{Listen: l.Addr().String(), Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.Start(); err == nil || !strings.HasPrefix(err.Error(), "cloud: mqtt listen") {
		t.Fatalf("Start on a busy port: %v", err)
	}
}

// logHasLine reports whether one line of logs contains all parts.
func logHasLine(logs string, parts ...string) bool {
	for line := range strings.Lines(logs) {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(line, p)
		}
		if all {
			return true
		}
	}
	return false
}

func TestBrokerWill(t *testing.T) {
	b := startBroker(t, BrokerConfig{})
	runWillCases(t, b.Addr().String())
}

// brokerWebSocketURL serves b's MQTT over WebSocket on a test HTTP server and
// returns its ws:// URL.
func brokerWebSocketURL(t *testing.T, b *Broker) string {
	srv := httptest.NewServer(http.HandlerFunc(b.ServeWebSocket))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/mqtt"
}

// The WebSocket listener has the accounts and rules of the TCP one.
func TestBrokerWebSocket(t *testing.T) {
	b := startBroker(t, BrokerConfig{})
	url := brokerWebSocketURL(t, b)
	t.Run("login", func(t *testing.T) { runLoginCases(t, url, true) })
	t.Run("delivery", func(t *testing.T) { runDeliveryCases(t, url, true) })
	t.Run("will", func(t *testing.T) { runWillCases(t, url) })
}

// A plain HTTP request to the WebSocket endpoint says what it is.
func TestBrokerWebSocketPlainRequest(t *testing.T) {
	b := startBroker(t, BrokerConfig{})
	rec := httptest.NewRecorder()
	b.ServeWebSocket(rec, httptest.NewRequest("GET", "/mqtt", nil))
	if rec.Code != http.StatusUpgradeRequired || !strings.Contains(rec.Body.String(), "MQTT over WebSocket") {
		t.Errorf("plain GET: %d %q", rec.Code, rec.Body.String())
	}
}
