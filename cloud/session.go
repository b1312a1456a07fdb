package cloud

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Remembered sign-ins: a browser that signed in with "remember" gets a
// random session key in an HttpOnly, SameSite=Strict cookie scoped to
// /api/. POST /api/session trades it for a fresh login answer (short-lived
// viewer tokens, MQTT credential, TURN credentials) without the password,
// so a returning page costs no bcrypt comparison (about 0.2-0.4 s here).
// The cloud keeps only the SHA-256 of each key, with the user and the
// fingerprint of the password hash it was made under: the session ends
// at its expiry, on POST /api/logout, when the account's password changes
// or it stops being a viewer, and when the cloud restarts (the store is in
// memory). The key never travels in a URL or reaches the page's script.
const (
	// DefaultSessionTTL is how long a remembered sign-in lasts. It is not
	// extended by use: after it, the password is asked again.
	DefaultSessionTTL = 7 * 24 * time.Hour
	// SessionCookie is the cookie that holds a remembered sign-in's key.
	SessionCookie = "p2pcam_session"
	// maxSessionsPerUser bounds one account's remembered sign-ins (its
	// browsers); a new one past it ends the oldest.
	maxSessionsPerUser = 16
	// maxSessions bounds the store, so that logins in a loop cannot grow
	// it without end; past it (after dropping expired ones) a login still
	// succeeds but is not remembered.
	maxSessions = 10000
	// sessionKeyBytes is the key's entropy: 256 bits.
	sessionKeyBytes = 32
)

// sessionEntry is one remembered sign-in.
type sessionEntry struct {
	user    string
	pwHash  [32]byte // SHA-256 of the account's bcrypt hash when it was made
	created time.Time
	expires time.Time
}

// sessions is the store of remembered sign-ins, keyed by the SHA-256 of
// their keys.
type sessions struct {
	ttl time.Duration
	mu  sync.Mutex // guards byKey
	// byKey maps SHA-256(key) to its sign-in.
	byKey map[[32]byte]sessionEntry
}

func newSessions(ttl time.Duration) *sessions {
	return &sessions{ttl: ttl, byKey: make(map[[32]byte]sessionEntry)}
}

// create remembers a sign-in of u and returns its key, or "" when
// remembering is off or the store is full.
func (s *sessions) create(u User, now time.Time) string {
	if s.ttl <= 0 {
		return ""
	}
	b := make([]byte, sessionKeyBytes)
	rand.Read(b)
	key := base64.RawURLEncoding.EncodeToString(b)
	s.mu.Lock()
	defer s.mu.Unlock()
	var oldest [32]byte
	var oldestAt time.Time
	n := 0
	for k, e := range s.byKey {
		if !now.Before(e.expires) {
			delete(s.byKey, k)
			continue
		}
		if e.user == u.Name {
			n++
			if n == 1 || e.created.Before(oldestAt) {
				oldest, oldestAt = k, e.created
			}
		}
	}
	if n >= maxSessionsPerUser {
		delete(s.byKey, oldest)
	}
	if len(s.byKey) >= maxSessions {
		return ""
	}
	s.byKey[sha256.Sum256([]byte(key))] = sessionEntry{user: u.Name, pwHash: sha256.Sum256([]byte(u.PasswordHash)), created: now, expires: now.Add(s.ttl)}
	return key
}

// lookup returns the viewer a key signs in, from dir, if the session is
// still good at now: not expired, the account still a viewer with the
// same password. A session that is not good any more is forgotten.
func (s *sessions) lookup(key string, dir Directory, now time.Time) (User, time.Time, bool) {
	if key == "" || len(key) > 2*sessionKeyBytes {
		return User{}, time.Time{}, false
	}
	h := sha256.Sum256([]byte(key))
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.byKey[h]
	if !ok {
		return User{}, time.Time{}, false
	}
	u, known := dir.User(e.user)
	if !now.Before(e.expires) || !known || u.Role != RoleViewer || sha256.Sum256([]byte(u.PasswordHash)) != e.pwHash {
		delete(s.byKey, h)
		return User{}, time.Time{}, false
	}
	return u, e.expires, true
}

// revoke forgets a key's session.
func (s *sessions) revoke(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.byKey, sha256.Sum256([]byte(key)))
}

// len is the number of sessions held (expired ones included until swept).
func (s *sessions) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.byKey)
}

// setSessionCookie sets (maxAge > 0) or clears (maxAge < 0) the session
// cookie: HttpOnly (no script reads it), SameSite=Strict (no other site's
// page sends it), Path=/api/ (only the API sees it), Secure over TLS.
func setSessionCookie(w http.ResponseWriter, r *http.Request, key string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: key, Path: "/api/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https"),
	})
}

// sessionKey is the request's session cookie, or "".
func sessionKey(r *http.Request) string {
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return ""
	}
	return c.Value
}
