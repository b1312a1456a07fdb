package cloud

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/cloud/tokenapi"
)

// startAPI starts a dev cloud whose directory shares acme/cam1 with alice
// (live, command) and nothing with bob, and serves its Handler.
func startAPI(t *testing.T, issuer ed25519.PrivateKey) (*Cloud, *httptest.Server) {
	t.Helper()
	d := Directory{Users: testUsers(t, accounts...)}
	d, err := d.WithShare("acme/cam1", "alice", auth.PermLive|auth.PermCommand)
	if err != nil {
		t.Fatal(err)
	}
	c := startCloud(t, Config{Directory: d, MQTT: BrokerConfig{Users: d.Users}, Issuer: issuer,
		AllowedOrigins: []string{"http://page.test"}})
	srv := httptest.NewServer(c.Handler())
	t.Cleanup(srv.Close)
	return c, srv
}

func newIssuer(t *testing.T) ed25519.PrivateKey {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return priv
}

// post sends body to the API and decodes the JSON answer into out.
func post(t *testing.T, url, body string, out any) (int, string) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("%s: Cache-Control %q, want no-store", url, resp.Header.Get("Cache-Control"))
	}
	if out != nil && resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s: %v in %s", url, err, b)
		}
	}
	return resp.StatusCode, string(b)
}

func TestAPILogin(t *testing.T) {
	issuer := newIssuer(t)
	_, srv := startAPI(t, issuer)
	var resp tokenapi.LoginResponse
	code, body := post(t, srv.URL+"/api/login", `{"user":"alice","password":"pw-alice"}`, &resp)
	if code != http.StatusOK {
		t.Fatalf("login: %d %s", code, body)
	}
	if len(resp.Devices) != 1 || resp.Devices[0].Device != "acme/cam1" {
		t.Fatalf("devices %+v", resp.Devices)
	}
	v := &auth.Verifier{Keys: []ed25519.PublicKey{issuer.Public().(ed25519.PublicKey)}, Device: "acme/cam1"}
	claims, err := v.Verify(resp.Devices[0].Token, auth.PermLive|auth.PermCommand)
	if err != nil {
		t.Fatalf("token: %v", err)
	}
	if claims.Subject != "alice" || claims.Perms.Has(auth.PermVoice) {
		t.Errorf("claims %+v", claims)
	}
	if ttl := claims.Expiry.Sub(claims.IssuedAt); ttl != DefaultTokenTTL || resp.Expires != claims.Expiry.Unix() {
		t.Errorf("token lasts %v (expires %d), want %v", ttl, resp.Expires, DefaultTokenTTL)
	}
	if want := "ws" + strings.TrimPrefix(srv.URL, "http") + "/mqtt"; resp.MQTT.URL != want {
		t.Errorf("mqtt url %q, want %q", resp.MQTT.URL, want)
	}
	if len(resp.ICEServers) != 2 || resp.ICEServers[1].Credential == "" {
		t.Errorf("ice servers %+v", resp.ICEServers)
	}
	// The session credential logs in over WebSocket, as a browser would.
	if _, _, err := dialMQTT(t, resp.MQTT.URL, mqttLogin{user: resp.MQTT.Username, clientID: "alice:web1", password: resp.MQTT.Password}); err != nil {
		t.Fatalf("mqtt with the session credential: %v", err)
	}
	if strings.Contains(body, "pw-alice") {
		t.Error("the answer repeats the password")
	}
}

func TestAPIRefusals(t *testing.T) {
	_, srv := startAPI(t, newIssuer(t))
	tests := []struct {
		name, path, body string
		code             int
		says             string
	}{
		{"wrong password", "/api/login", `{"user":"alice","password":"pw-bob"}`, 401, "wrong user name or password"},
		{"unknown user", "/api/login", `{"user":"mallory","password":"x"}`, 401, "wrong user name or password"},
		{"device account", "/api/login", `{"user":"acme/cam1","password":"pw-cam1"}`, 401, "wrong user name or password"},
		{"not JSON", "/api/login", `user=alice&password=pw-alice`, 400, "want a JSON body"},
		{"unknown field", "/api/login", `{"user":"alice","password":"pw-alice","admin":true}`, 400, "unknown field"},
		{"unshared device", "/api/token", `{"user":"bob","password":"pw-bob","device":"acme/cam1"}`, 403, "not shared with bob"},
		{"bad device", "/api/token", `{"user":"alice","password":"pw-alice","device":"cam1"}`, 400, "want PRODUCT/DEVICE"},
		{"token, wrong password", "/api/token", `{"user":"alice","password":"x","device":"acme/cam1"}`, 401, "wrong user name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := post(t, srv.URL+tt.path, tt.body, nil)
			if code != tt.code || !strings.Contains(body, tt.says) {
				t.Errorf("%d %s, want %d %q", code, body, tt.code, tt.says)
			}
		})
	}
	// A GET says passwords go in a POST body.
	resp, err := http.Get(srv.URL + "/api/login?user=alice&password=pw-alice")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || !bytes.Contains(b, []byte("never go in a URL")) {
		t.Errorf("GET: %d %s", resp.StatusCode, b)
	}
}

func TestAPIToken(t *testing.T) {
	_, srv := startAPI(t, newIssuer(t))
	var resp tokenapi.TokenResponse
	if code, body := post(t, srv.URL+"/api/token", `{"user":"alice","password":"pw-alice","device":"acme/cam1"}`, &resp); code != 200 || resp.Token == "" {
		t.Fatalf("token: %d %s", code, body)
	}
}

// Sharing a device while the cloud runs takes effect at the next login.
func TestAPISetDirectory(t *testing.T) {
	c, srv := startAPI(t, newIssuer(t))
	d, err := c.Directory().WithShare("acme/cam2", "bob", auth.PermLive)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SetDirectory(d); err != nil {
		t.Fatal(err)
	}
	var resp tokenapi.LoginResponse
	if code, body := post(t, srv.URL+"/api/login", `{"user":"bob","password":"pw-bob"}`, &resp); code != 200 || len(resp.Devices) != 1 {
		t.Fatalf("bob after sharing: %d %s", code, body)
	}
}

func TestAPIWithoutIssuer(t *testing.T) {
	_, srv := startAPI(t, nil)
	if code, body := post(t, srv.URL+"/api/login", `{"user":"alice","password":"pw-alice"}`, nil); code != http.StatusServiceUnavailable {
		t.Errorf("no issuer: %d %s", code, body)
	}
}

func TestAPICORS(t *testing.T) {
	_, srv := startAPI(t, newIssuer(t))
	for _, tt := range []struct {
		origin string
		code   int
	}{{"http://page.test", http.StatusNoContent}, {"http://evil.test", http.StatusForbidden}} {
		req, _ := http.NewRequest(http.MethodOptions, srv.URL+"/api/login", nil)
		req.Header.Set("Origin", tt.origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "content-type")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.code {
			t.Errorf("preflight from %s: %d, want %d", tt.origin, resp.StatusCode, tt.code)
		}
	}
}

// The Go client logs in, and passes the service's refusal on.
func TestTokenAPIClient(t *testing.T) {
	_, srv := startAPI(t, newIssuer(t))
	ctx := context.Background()
	resp, err := tokenapi.Login(ctx, srv.URL, "alice", "pw-alice")
	if err != nil {
		t.Fatal(err)
	}
	if g, ok := resp.Grant("acme/cam1"); !ok || g.Token == "" {
		t.Errorf("no grant for acme/cam1 in %+v", resp.Devices)
	}
	if _, ok := resp.Grant("acme/cam2"); ok {
		t.Error("a grant for an unshared device")
	}
	if _, err := tokenapi.Login(ctx, srv.URL, "alice", "nope"); err == nil || !strings.Contains(err.Error(), "401 Unauthorized: wrong user name or password") {
		t.Errorf("wrong password: %v", err)
	}
}
