package cloud

import (
	"crypto/ed25519"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/cloud/tokenapi"
)

// browser is an HTTP client with a cookie jar, as a browser tab is.
func browser(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar}
}

// call POSTs body to url with client and returns the status, the body and
// the session cookie the answer set (nil if none).
func call(t *testing.T, client *http.Client, url, body string) (int, string, *http.Cookie) {
	t.Helper()
	resp, err := client.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, c := range resp.Cookies() {
		if c.Name == SessionCookie {
			return resp.StatusCode, string(b), c
		}
	}
	return resp.StatusCode, string(b), nil
}

// A remembered sign-in: the cookie's attributes, a session answer like a
// login's without the password, and its end by logout.
func TestAPISession(t *testing.T) {
	issuer := newIssuer(t)
	_, srv := startAPI(t, issuer)
	tab := browser(t)

	code, body, c := call(t, tab, srv.URL+"/api/login", `{"user":"alice","password":"pw-alice"}`)
	if code != 200 || c != nil {
		t.Fatalf("login without remember: %d, cookie %v: %s", code, c, body)
	}
	if code, _, _ := call(t, tab, srv.URL+"/api/session", ``); code != http.StatusUnauthorized {
		t.Fatalf("session without a cookie: %d, want 401", code)
	}

	code, body, c = call(t, tab, srv.URL+"/api/login", `{"user":"alice","password":"pw-alice","remember":true}`)
	if code != 200 || c == nil {
		t.Fatalf("login with remember: %d, cookie %v: %s", code, c, body)
	}
	if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/api/" || c.MaxAge != int(DefaultSessionTTL/time.Second) || c.Secure {
		t.Errorf("cookie %+v: want HttpOnly, SameSite=Strict, Path=/api/, Max-Age %v, not Secure over plain HTTP", c, DefaultSessionTTL)
	}
	if strings.Contains(body, c.Value) {
		t.Error("the login's body holds the session key: the page's script must not see it")
	}

	var resp tokenapi.LoginResponse
	code, body, _ = call(t, tab, srv.URL+"/api/session", ``)
	if code != 200 {
		t.Fatalf("session: %d %s", code, body)
	}
	if err := json.Unmarshal([]byte(body), &resp); err != nil {
		t.Fatal(err)
	}
	if resp.User != "alice" || len(resp.Devices) != 1 || resp.MQTT.Password == "" || len(resp.ICEServers) == 0 {
		t.Fatalf("session answer %+v", resp)
	}
	v := &auth.Verifier{Keys: []ed25519.PublicKey{issuer.Public().(ed25519.PublicKey)}, Device: "acme/cam1"}
	if _, err := v.Verify(resp.Devices[0].Token, auth.PermLive); err != nil {
		t.Fatalf("session's token: %v", err)
	}
	if _, _, err := dialMQTT(t, resp.MQTT.URL, mqttLogin{user: "alice", clientID: "alice:web2", password: resp.MQTT.Password}); err != nil {
		t.Fatalf("mqtt with the session's credential: %v", err)
	}

	// Another tab (no cookie) gets nothing; a forged cookie is refused
	// and cleared.
	other := browser(t)
	if code, _, _ := call(t, other, srv.URL+"/api/session", ``); code != http.StatusUnauthorized {
		t.Errorf("session from another browser: %d, want 401", code)
	}
	r := postKey(t, srv.URL+"/api/session", "forged")
	if r.StatusCode != http.StatusUnauthorized || len(r.Cookies()) != 1 || r.Cookies()[0].MaxAge >= 0 {
		t.Errorf("forged cookie: %d, cookies %v: want 401 and the cookie cleared", r.StatusCode, r.Cookies())
	}

	// GET is refused: nothing about a sign-in goes through a URL.
	if r, err := http.Get(srv.URL + "/api/session"); err != nil || r.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET /api/session: %v %v, want 405", r.StatusCode, err)
	}

	key := c.Value
	code, _, c = call(t, tab, srv.URL+"/api/logout", ``)
	if code != 200 || c == nil || c.MaxAge >= 0 {
		t.Fatalf("logout: %d, cookie %+v: want 200 and the cookie cleared", code, c)
	}
	if code, _, _ := call(t, tab, srv.URL+"/api/session", ``); code != http.StatusUnauthorized {
		t.Errorf("session after logout: %d, want 401", code)
	}
	// A copy of the key taken before the logout is dead too.
	if code := postKey(t, srv.URL+"/api/session", key).StatusCode; code != http.StatusUnauthorized {
		t.Errorf("the old key replayed after logout: %d, want 401", code)
	}
}

// sessionValue signs alice in with remember and returns the cookie's key.
func sessionValue(t *testing.T, url string) string {
	t.Helper()
	_, _, c := call(t, browser(t), url+"/api/login", `{"user":"alice","password":"pw-alice","remember":true}`)
	if c == nil {
		t.Fatal("no session cookie")
	}
	return c.Value
}

// postKey POSTs to url with key as the session cookie and returns the
// answer (its body closed).
func postKey(t *testing.T, url, key string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, nil)
	req.AddCookie(&http.Cookie{Name: SessionCookie, Value: key})
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	return r
}

// What ends a remembered sign-in.
func TestAPISessionEnds(t *testing.T) {
	for _, tt := range []struct {
		name string
		end  func(t *testing.T, c *Cloud, url, key string)
	}{
		{"logout", func(t *testing.T, c *Cloud, url, key string) {
			postKey(t, url+"/api/logout", key)
		}},
		{"password changed", func(t *testing.T, c *Cloud, url, key string) {
			d := c.Directory()
			users, err := AddUser(nil, "alice", RoleViewer, "new-password")
			if err != nil {
				t.Fatal(err)
			}
			for i := range d.Users {
				if d.Users[i].Name == "alice" {
					d.Users[i] = users[0]
				}
			}
			if err := c.SetDirectory(d); err != nil {
				t.Fatal(err)
			}
		}},
		{"account removed", func(t *testing.T, c *Cloud, url, key string) {
			d := c.Directory()
			var kept []User
			for _, u := range d.Users {
				if u.Name != "alice" {
					kept = append(kept, u)
				}
			}
			d.Users = kept
			d.Shares = nil
			if err := c.SetDirectory(d); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, srv := startAPI(t, newIssuer(t))
			key := sessionValue(t, srv.URL)
			if code := postKey(t, srv.URL+"/api/session", key).StatusCode; code != 200 {
				t.Fatalf("before: %d", code)
			}
			tt.end(t, c, srv.URL, key)
			if code := postKey(t, srv.URL+"/api/session", key).StatusCode; code != http.StatusUnauthorized {
				t.Errorf("after %s: %d, want 401", tt.name, code)
			}
		})
	}
}

// The store: expiry, the per-user cap, the global cap, remembering off.
func TestSessions(t *testing.T) {
	d := Directory{Users: testUsers(t, accAlice, accBob)}
	alice, _ := d.User("alice")
	bob, _ := d.User("bob")
	now := time.Unix(1_700_000_000, 0)

	s := newSessions(time.Hour)
	k := s.create(alice, now)
	if u, end, ok := s.lookup(k, d, now.Add(59*time.Minute)); !ok || u.Name != "alice" || !end.Equal(now.Add(time.Hour)) {
		t.Fatalf("lookup before expiry: %v %v %v", u.Name, end, ok)
	}
	if _, _, ok := s.lookup(k, d, now.Add(time.Hour)); ok {
		t.Fatal("lookup at expiry succeeded")
	}
	if s.len() != 0 {
		t.Error("an expired session was not forgotten")
	}
	for _, bad := range []string{"", "x", strings.Repeat("A", 43), strings.Repeat("A", 100)} {
		if _, _, ok := s.lookup(bad, d, now); ok {
			t.Errorf("lookup(%q) succeeded", bad)
		}
	}

	first := s.create(alice, now)
	for i := 1; i < maxSessionsPerUser; i++ {
		s.create(alice, now.Add(time.Duration(i)*time.Second))
	}
	b := s.create(bob, now)
	s.create(alice, now.Add(time.Minute)) // the 17th: the oldest goes
	if _, _, ok := s.lookup(first, d, now.Add(2*time.Minute)); ok {
		t.Error("alice's oldest session outlived the per-user cap")
	}
	if s.len() != maxSessionsPerUser+1 {
		t.Errorf("%d sessions, want %d of alice's and bob's", s.len(), maxSessionsPerUser+1)
	}
	if _, _, ok := s.lookup(b, d, now.Add(2*time.Minute)); !ok {
		t.Error("bob's session was dropped for alice's cap")
	}

	full := newSessions(time.Hour)
	for i := 0; i < maxSessions; i++ {
		full.byKey[[32]byte{byte(i), byte(i >> 8)}] = sessionEntry{user: "u", expires: now.Add(time.Hour)}
	}
	if k := full.create(alice, now); k != "" {
		t.Error("a full store remembered one more")
	}
	if k := full.create(alice, now.Add(2*time.Hour)); k == "" {
		t.Error("a store full of expired sessions remembered nothing")
	}

	if k := newSessions(-1).create(alice, now); k != "" {
		t.Error("SessionTTL < 0 remembered a sign-in")
	}
}

// BenchmarkAPISignIn: what a page's sign-in costs the cloud, with the
// password (a bcrypt comparison at the default cost) and with the
// remembered sign-in's cookie.
//
//	go test -run '^$' -bench APISignIn ./cloud/
func BenchmarkAPISignIn(b *testing.B) {
	hashCostWas := hashCost
	hashCost = defaultHashCost // what real accounts have
	defer func() { hashCost = hashCostWas }()
	d := Directory{Users: testUsers(b, accAlice, accCam1)}
	d, err := d.WithShare("acme/cam1", "alice", auth.PermLive)
	if err != nil {
		b.Fatal(err)
	}
	c := startCloud(b, Config{Directory: d, MQTT: BrokerConfig{Users: d.Users}, Issuer: ed25519.NewKeyFromSeed(make([]byte, 32))})
	a := &api{c: c, slots: make(chan struct{}, loginSlots), logins: newLoginGuard(LoginThrottle{}, quietLogger())}
	u, _ := d.User("alice")
	key := c.sessions.create(u, time.Now())
	for _, bb := range []struct {
		name string
		h    http.HandlerFunc
		req  func() *http.Request
	}{
		{"password", a.login, func() *http.Request {
			return httptest.NewRequest("POST", "/api/login", strings.NewReader(`{"user":"alice","password":"pw-alice"}`))
		}},
		{"session", a.session, func() *http.Request {
			r := httptest.NewRequest("POST", "/api/session", nil)
			r.AddCookie(&http.Cookie{Name: SessionCookie, Value: key})
			return r
		}},
	} {
		b.Run(bb.name, func(b *testing.B) {
			for b.Loop() {
				rec := httptest.NewRecorder()
				bb.h(rec, bb.req())
				if rec.Code != 200 {
					b.Fatalf("%d %s", rec.Code, rec.Body)
				}
			}
		})
	}
}
