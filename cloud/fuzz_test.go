package cloud

import (
	"crypto/ed25519"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/signal"
)

// matches is MQTT topic matching, written apart from covers so the fuzz
// test checks Allowed against an independent statement of the rules.
func matches(filter, topic string) bool {
	f, tp := strings.Split(filter, "/"), strings.Split(topic, "/")
	for i, fl := range f {
		switch {
		case fl == "#":
			return true
		case i >= len(tp):
			return false
		case fl == "+":
		case fl != tp[i]:
			return false
		}
	}
	return len(f) == len(tp)
}

// instances returns concrete topics matched by filter: each '+' replaced
// by each of names, a '#' by nothing or by each name and name/inbox.
func instances(filter string, names []string) []string {
	out := []string{""}
	for i, l := range strings.Split(filter, "/") {
		var subs []string
		switch l {
		case "+":
			subs = names
		case "#":
			var next []string
			for _, o := range out {
				if i > 0 {
					next = append(next, strings.TrimSuffix(o, "/"))
				}
				for _, n := range names {
					next = append(next, o+n, o+n+"/inbox")
				}
			}
			return next
		default:
			subs = []string{l}
		}
		var next []string
		for _, o := range out {
			for _, s := range subs {
				if i > 0 {
					next = append(next, o+"/"+s)
				} else {
					next = append(next, s)
				}
			}
		}
		if len(next) > 64 {
			next = next[:64]
		}
		out = next
	}
	return out
}

func FuzzAllowed(f *testing.F) {
	seeds := []struct {
		device      bool
		name, topic string
		write       bool
	}{
		{false, "alice", "p2pcam/viewer/alice/inbox", false},
		{false, "alice", "p2pcam/viewer/+/inbox", false},
		{false, "alice", "p2pcam/viewer/#", false},
		{false, "alice", "p2pcam/+/+/info", false},
		{false, "alice", "p2pcam/+/+/+", false},
		{false, "alice", "#", false},
		{false, "alice", "+/+/+/+", false},
		{false, "alice", "p2pcam/acme/cam1/rpc", true},
		{false, "viewer", "p2pcam/viewer/viewer/inbox", false},
		{true, "acme/cam1", "p2pcam/acme/cam1/info", true},
		{true, "acme/cam1", "p2pcam/acme/cam2/info", true},
		{true, "acme/cam1", "p2pcam/viewer/bob/inbox", true},
		{true, "acme/cam1", "p2pcam/acme/+/info", true},
		{true, "acme/cam1", "p2pcam/acme/cam1/rpc", false},
		{true, "viewer/alice", "p2pcam/viewer/alice/info", true},
		{true, "a/b", "p2pcam/a/b/#", false},
		{true, "a/b", "$SYS/#", false},
		{false, "alice", "p2pcam/acme/cam1/events", false},
		{false, "alice", "p2pcam/acme/cam2/events", false},
		{false, "alice", "p2pcam/acme/+/events", false},
		{false, "alice", "p2pcam/+/+/events", false},
		{true, "acme/cam1", "p2pcam/acme/cam1/events", true},
		{true, "acme/cam1", "p2pcam/acme/cam2/events", true},
	}
	for _, s := range seeds {
		f.Add(s.device, s.name, s.topic, s.write)
	}
	f.Fuzz(func(t *testing.T, device bool, name, topic string, write bool) {
		role := RoleViewer
		if device {
			role = RoleDevice
		}
		u := User{Name: name, Role: role}
		shared := []string{"acme/cam1"} // for a viewer: the devices shared with it
		allowed := AllowedFor(u, shared, topic, write)
		if !allowed {
			return
		}
		if validName(name, role) != nil {
			t.Fatalf("invalid %s name %q allowed %q", role, name, topic)
		}
		if write && strings.ContainsAny(topic, "+#") {
			t.Fatalf("%s %q may publish to wildcard topic %q", role, name, topic)
		}
		if !write {
			// Every topic the filter matches must itself be allowed.
			for _, inst := range instances(topic, []string{"mallory", name, "viewer"}) {
				if matches(topic, inst) && !AllowedFor(u, shared, inst, false) {
					t.Fatalf("%s %q may subscribe %q, which matches forbidden %q", role, name, topic, inst)
				}
			}
		}
		if !device && !write {
			others := []string{"mallory", name + "x", "+"}
			if levels := strings.Split(topic, "/"); len(levels) > 2 {
				others = append(others, levels[2])
			}
			for _, o := range others {
				if o != name && matches(topic, signal.InboxTopic(o)) {
					t.Fatalf("viewer %q may read %q, which matches viewer %q's inbox", name, topic, o)
				}
				if o != "+" && matches(topic, "p2pcam/acme/"+o+"/events") && o != "cam1" {
					t.Fatalf("viewer %q may read %q, which matches the events of acme/%s, not shared with it", name, topic, o)
				}
			}
			if matches(topic, "p2pcam/acme/cam2/events") {
				t.Fatalf("viewer %q may read %q, which matches the events of acme/cam2, not shared with it", name, topic)
			}
		}
		if device && write {
			own, _ := signal.ParseDeviceID(name)
			if matches("p2pcam/+/+/info", topic) && topic != own.InfoTopic() {
				t.Fatalf("device %q may write another device's info %q", name, topic)
			}
			if matches("p2pcam/+/+/events", topic) && topic != own.EventsTopic() {
				t.Fatalf("device %q may write another device's events %q", name, topic)
			}
		}
	})
}

// FuzzAPILogin posts untrusted bodies to the token service: it answers
// every one with a JSON status, never a panic or a server error (failed
// logins soon get 429: the back-off is part of what is fuzzed).
func FuzzAPILogin(f *testing.F) {
	for _, s := range []string{
		`{"user":"alice","password":"pw-alice"}`,
		`{"user":"bob","password":"pw-bob","device":"acme/cam1"}`,
		`{"user":"alice"`, `[]`, `{"user":1}`, "", "\x00\xff",
	} {
		f.Add(s)
	}
	d := Directory{Users: testUsers(f, accounts...)}
	d, err := d.WithShare("acme/cam1", "alice", auth.PermLive)
	if err != nil {
		f.Fatal(err)
	}
	c := &Cloud{issuer: ed25519.NewKeyFromSeed(make([]byte, 32)), tokenTTL: DefaultTokenTTL, sessions: newSessions(DefaultSessionTTL), log: quietLogger()}
	c.dir.Store(&d)
	a := &api{c: c, slots: make(chan struct{}, loginSlots), logins: newLoginGuard(LoginThrottle{}, quietLogger())}
	f.Fuzz(func(t *testing.T, body string) {
		for _, h := range []http.HandlerFunc{a.token} {
			rec := httptest.NewRecorder()
			h(rec, httptest.NewRequest("POST", "/api/token", strings.NewReader(body)))
			if rec.Code >= 500 && rec.Code != http.StatusServiceUnavailable {
				t.Fatalf("%q: %d %s", body, rec.Code, rec.Body)
			}
			if !json.Valid(rec.Body.Bytes()) {
				t.Fatalf("%q: answer is not JSON: %s", body, rec.Body)
			}
		}
	})
}

// FuzzAPISession sends untrusted session cookies to /api/session: each is
// answered with JSON, never a panic, and only the key the store made
// signs in.
func FuzzAPISession(f *testing.F) {
	d := Directory{Users: testUsers(f, accAlice)}
	c := startCloud(f, Config{Directory: d, MQTT: BrokerConfig{Users: d.Users}, Issuer: ed25519.NewKeyFromSeed(make([]byte, 32))})
	alice, _ := d.User("alice")
	good := c.sessions.create(alice, time.Now())
	for _, s := range []string{good, "", "forged", good[:len(good)-1], good + "A", strings.Repeat("A", 43), "\x00\xff", "a=b; c"} {
		f.Add(s)
	}
	a := &api{c: c, slots: make(chan struct{}, loginSlots), logins: newLoginGuard(LoginThrottle{}, quietLogger())}
	f.Fuzz(func(t *testing.T, key string) {
		rec := httptest.NewRecorder()
		r := httptest.NewRequest("POST", "/api/session", nil)
		r.Header.Set("Cookie", SessionCookie+"="+key)
		a.session(rec, r)
		if want := http.StatusUnauthorized; key == good {
			want = http.StatusOK
			if rec.Code != want {
				t.Fatalf("%q: %d, want %d", key, rec.Code, want)
			}
		} else if rec.Code == http.StatusOK && sessionKey(r) != good {
			t.Fatalf("%q (read as %q): signed in with a key the store never made", key, sessionKey(r))
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%q: answer is not JSON: %s", key, rec.Body)
		}
	})
}
