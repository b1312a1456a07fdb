package cloud

import (
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/cloud/tokenapi"
	"github.com/p2pcam/p2pcam/signal"
)

// Limits of the token service.
const (
	// DefaultTokenTTL is how long a viewer token and an MQTT session
	// credential from the token service last: long enough to open
	// sessions for a while, short enough that a leaked one soon expires.
	DefaultTokenTTL = 10 * time.Minute
	// maxLoginBody bounds a login request: a name, a password (bcrypt
	// reads at most 72 bytes) and a device id fit in a few hundred bytes.
	maxLoginBody = 4 << 10
	// loginSlots bounds concurrent password checks: bcrypt costs about
	// 50 ms of a core each, and a flood of logins must not starve the
	// broker.
	loginSlots = 4
)

// tokenIssuer is the Issuer claim of the token service's tokens.
const tokenIssuer = "p2pcam-cloud"

// The wire types, shared with clients.
type (
	loginRequest  = tokenapi.LoginRequest
	loginResponse = tokenapi.LoginResponse
	apiError      = tokenapi.Error
)

// api is the dev cloud's HTTP side: the token service and MQTT over
// WebSocket.
type api struct {
	c      *Cloud
	slots  chan struct{}
	logins *loginGuard // the broker's: a failure counts against both
}

// Handler serves the dev cloud's HTTP API:
//
//	GET  /mqtt        MQTT 5 over WebSocket (subprotocol mqtt)
//	POST /api/login   {"user","password"} -> tokenapi.LoginResponse
//	POST /api/token   {"user","password","device"} -> tokenapi.TokenResponse
//	POST /relay/on_play  nginx-rtmp's on_play callback: 200 plays, 403 refuses
//	POST /api/session (the remembered sign-in's cookie) -> tokenapi.LoginResponse
//	POST /api/logout  ends the remembered sign-in, clears its cookie
//
// A login with "remember":true sets an HttpOnly, SameSite=Strict cookie
// that /api/session takes instead of the password (see session.go).
// The token service needs Config.Issuer; without it /api answers 503.
// Cross-origin pages may call it as Config.AllowedOrigins says.
func (c *Cloud) Handler() http.Handler {
	a := &api{c: c, slots: make(chan struct{}, loginSlots), logins: c.Broker.hook.logins}
	mux := http.NewServeMux()
	mux.HandleFunc("/mqtt", c.Broker.ServeWebSocket)
	mux.HandleFunc(tokenapi.LoginPath, a.login)
	mux.HandleFunc(tokenapi.TokenPath, a.token)
	mux.HandleFunc(RelayOnPlayPath, a.relayOnPlay)
	mux.HandleFunc(tokenapi.SessionPath, a.session)
	mux.HandleFunc(tokenapi.LogoutPath, a.logout)
	return c.cors.Wrap(mux)
}

func (a *api) login(w http.ResponseWriter, r *http.Request) {
	req, dir, u, ok := a.authenticate(w, r)
	if !ok {
		return
	}
	now := time.Now()
	if req.Remember {
		if key := a.c.sessions.create(u, now); key != "" {
			setSessionCookie(w, r, key, int(a.c.sessions.ttl/time.Second))
		}
	}
	a.grant(w, r, dir, u, now, now.Add(a.c.tokenTTL))
}

// session signs in with a remembered sign-in's cookie instead of the
// password: the same answer as login, its tokens ending no later than the
// session.
func (a *api) session(w http.ResponseWriter, r *http.Request) {
	if !a.post(w, r) {
		return
	}
	now := time.Now()
	key := sessionKey(r)
	u, end, ok := a.c.sessions.lookup(key, a.c.Directory(), now)
	if !ok {
		if key != "" {
			setSessionCookie(w, r, "", -1)
		}
		a.fail(w, http.StatusUnauthorized, "no remembered sign-in (it expired, or you signed out): sign in with your password")
		return
	}
	exp := now.Add(a.c.tokenTTL)
	if end.Before(exp) {
		exp = end
	}
	a.grant(w, r, a.c.Directory(), u, now, exp)
}

// logout ends the remembered sign-in of the request's cookie, if any, and
// clears the cookie. Tokens already issued run to their (short) expiry.
func (a *api) logout(w http.ResponseWriter, r *http.Request) {
	if !a.post(w, r) {
		return
	}
	if key := sessionKey(r); key != "" {
		a.c.sessions.revoke(key)
	}
	setSessionCookie(w, r, "", -1)
	writeJSON(w, http.StatusOK, struct{}{})
}

// post checks that the request is a POST to a cloud with an issuer; on
// failure it has answered.
func (a *api) post(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		a.fail(w, http.StatusMethodNotAllowed, "POST a JSON body: passwords never go in a URL")
		return false
	}
	if a.c.issuer == nil {
		a.fail(w, http.StatusServiceUnavailable, "this cloud has no token issuer key: start it with one (p2pcam cloud does)")
		return false
	}
	return true
}

// grant answers a signed-in viewer u: MQTT and TURN credentials and a
// token for each device shared with it, all ending at exp.
func (a *api) grant(w http.ResponseWriter, r *http.Request, dir Directory, u User, now, exp time.Time) {
	resp := loginResponse{
		User:       u.Name,
		Expires:    exp.Unix(),
		MQTT:       tokenapi.MQTTLogin{URL: webSocketURL(r), Username: u.Name, Password: MQTTCredential(a.c.credKey, u.Name, exp)},
		ICEServers: a.c.iceServers(u.Name, exp.Sub(now)),
		Devices:    []tokenapi.DeviceGrant{},
	}
	for _, s := range dir.SharedWith(u.Name) {
		perms, err := s.Permissions()
		if err != nil {
			continue // Validate refused such a share on load
		}
		tok, err := a.issue(s.Device, u.Name, perms, now, exp)
		if err != nil {
			a.fail(w, http.StatusInternalServerError, "signing a token for %s: %v", s.Device, err)
			return
		}
		resp.Devices = append(resp.Devices, tokenapi.DeviceGrant{Device: s.Device, Perms: perms.Names(), Token: tok})
	}
	a.c.log.Info("cloud: login", "user", u.Name, "devices", len(resp.Devices), "remote", r.RemoteAddr)
	writeJSON(w, http.StatusOK, resp)
}

func (a *api) token(w http.ResponseWriter, r *http.Request) {
	req, dir, u, ok := a.authenticate(w, r)
	if !ok {
		return
	}
	if _, err := signal.ParseDeviceID(req.Device); err != nil {
		a.fail(w, http.StatusBadRequest, "device %q: want PRODUCT/DEVICE", req.Device)
		return
	}
	var perms auth.Permission
	for _, s := range dir.SharedWith(u.Name) {
		if s.Device == req.Device {
			perms, _ = s.Permissions()
		}
	}
	if perms == 0 {
		a.c.log.Warn("cloud: token refused", "user", u.Name, "device", req.Device, "reason", "not shared")
		a.fail(w, http.StatusForbidden, "device %s is not shared with %s: its owner can share it with p2pcam cloud share %s %s", req.Device, u.Name, req.Device, u.Name)
		return
	}
	now := time.Now()
	exp := now.Add(a.c.tokenTTL)
	tok, err := a.issue(req.Device, u.Name, perms, now, exp)
	if err != nil {
		a.fail(w, http.StatusInternalServerError, "signing a token: %v", err)
		return
	}
	writeJSON(w, http.StatusOK, tokenapi.TokenResponse{Token: tok, Expires: exp.Unix()})
}

// authenticate reads a LoginRequest and checks the viewer's password in
// the directory in force, which it returns so that the caller reads the
// same one. On failure it has answered.
func (a *api) authenticate(w http.ResponseWriter, r *http.Request) (loginRequest, Directory, User, bool) {
	var req loginRequest
	if !a.post(w, r) {
		return req, Directory{}, User{}, false
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, maxLoginBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		a.fail(w, http.StatusBadRequest, "want a JSON body {\"user\":...,\"password\":...}: %v", err)
		return req, Directory{}, User{}, false
	}
	dir := a.c.Directory()
	u, known := dir.User(req.User)
	if wait := a.logins.wait("api", req.User, known, r.RemoteAddr); wait > 0 {
		secs := strconv.Itoa(int((wait + time.Second - 1) / time.Second))
		w.Header().Set("Retry-After", secs)
		a.fail(w, http.StatusTooManyRequests, "too many failed logins: try again in %s s", secs)
		return req, Directory{}, User{}, false
	}
	select {
	case a.slots <- struct{}{}:
		defer func() { <-a.slots }()
	default:
		w.Header().Set("Retry-After", "1")
		a.fail(w, http.StatusServiceUnavailable, "too many logins at once: try again in a second")
		return req, Directory{}, User{}, false
	}
	if !known || u.Role != RoleViewer {
		u = User{PasswordHash: string(dummyHash())} // same time as a wrong password
	}
	if !u.CheckPassword(req.Password) || u.Role != RoleViewer {
		a.logins.failed(req.User, known, r.RemoteAddr)
		a.c.log.Warn("cloud: login refused", "user", req.User, "remote", r.RemoteAddr)
		a.fail(w, http.StatusUnauthorized, "wrong user name or password")
		return req, Directory{}, User{}, false
	}
	a.logins.succeeded(req.User, r.RemoteAddr)
	return req, dir, u, true
}

// issue signs a viewer token.
func (a *api) issue(device, user string, perms auth.Permission, now, exp time.Time) (string, error) {
	return auth.Sign(a.c.issuer, auth.Claims{Issuer: tokenIssuer, Device: device, Subject: user, Perms: perms, IssuedAt: now, Expiry: exp})
}

func (a *api) fail(w http.ResponseWriter, code int, format string, args ...any) {
	writeJSON(w, code, apiError{Error: fmt.Sprintf(format, args...)})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store") // tokens and credentials
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// webSocketURL is the URL of /mqtt on the host the request came to.
func webSocketURL(r *http.Request) string {
	scheme := "ws"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "wss"
	}
	return scheme + "://" + r.Host + "/mqtt"
}

// IssuerPublicKey is the public key cameras must trust (auth.trusted_keys)
// for the token service's tokens, or nil without an issuer.
func (c *Cloud) IssuerPublicKey() ed25519.PublicKey {
	if c.issuer == nil {
		return nil
	}
	return c.issuer.Public().(ed25519.PublicKey)
}
