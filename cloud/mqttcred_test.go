package cloud

import (
	"strings"
	"testing"
	"time"
)

func TestMQTTCredential(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	now := time.Unix(1_800_000_000, 0)
	good := MQTTCredential(key, "alice", now.Add(time.Minute))
	tests := []struct {
		name string
		key  []byte
		user string
		cred string
		at   time.Time
		ok   bool
	}{
		{"valid", key, "alice", good, now, true},
		{"expired", key, "alice", good, now.Add(time.Minute), false},
		{"other user", key, "bob", good, now, false},
		{"other key", []byte("another key"), "alice", good, now, false},
		{"no key", nil, "alice", good, now, false},
		{"tampered expiry", key, "alice", strings.Replace(good, ".18", ".19", 1), now, false},
		{"not a credential", key, "alice", "pw-alice", now, false},
		{"no mac", key, "alice", mqttCredPrefix + "1900000000", now, false},
		{"bad base64", key, "alice", mqttCredPrefix + "1900000000.!!", now, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := checkMQTTCredential(tt.key, tt.user, tt.cred, tt.at); got != tt.ok {
				t.Errorf("check = %v, want %v", got, tt.ok)
			}
		})
	}
}

// The broker takes a session credential in place of a viewer's password,
// and only a viewer's.
func TestBrokerSessionCredential(t *testing.T) {
	key := []byte("credential key for the test.....")
	b := startBroker(t, BrokerConfig{CredentialKey: key})
	addr := b.Addr().String()
	exp := time.Now().Add(time.Minute)
	tests := []struct {
		name  string
		login mqttLogin
		ok    bool
	}{
		{"viewer", mqttLogin{user: "alice", clientID: "alice:s1", password: MQTTCredential(key, "alice", exp)}, true},
		{"other viewer's", mqttLogin{user: "bob", clientID: "bob:s1", password: MQTTCredential(key, "alice", exp)}, false},
		{"expired", mqttLogin{user: "alice", clientID: "alice:s1", password: MQTTCredential(key, "alice", time.Now().Add(-time.Second))}, false},
		{"device", mqttLogin{user: "acme/cam1", clientID: "acme/cam1", password: MQTTCredential(key, "acme/cam1", exp)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := dialMQTT(t, addr, tt.login)
			if (err == nil) != tt.ok {
				t.Errorf("connect = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

// SetUsers takes effect for the next login.
func TestBrokerSetUsers(t *testing.T) {
	b := startBroker(t, BrokerConfig{Users: testUsers(t, accAlice)})
	addr := b.Addr().String()
	bob := mqttLogin{user: "bob", clientID: "bob:s1", password: "pw-bob"}
	if _, _, err := dialMQTT(t, addr, bob); err == nil {
		t.Fatal("bob logged in before being added")
	}
	if err := b.SetUsers(testUsers(t, accAlice, accBob)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := dialMQTT(t, addr, bob); err != nil {
		t.Fatalf("bob after SetUsers: %v", err)
	}
}
