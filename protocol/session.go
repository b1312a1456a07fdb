package protocol

import (
	"crypto/rand"
	"encoding/hex"
)

// A LAN-mode session: plain HTTP has a connection per request, so a
// playback's answer names a session (SessionHeader), and the playback_*
// commands that carry it (the header, or SessionParam in the query)
// steer that playback. docs/recording.md, "Steering a playback".
const (
	// SessionHeader carries the session: in a playback's answer, and in
	// the commands that steer it.
	SessionHeader = "X-P2pcam-Session"
	// SessionParam is the query parameter that may carry it instead
	// (a browser's or curl's command URL).
	SessionParam = "session"
	// sessionIDLen is the length of a session id: 16 random bytes in
	// hex, so another viewer cannot guess it.
	sessionIDLen = 32
)

// NewSessionID returns a new random session id.
func NewSessionID() string {
	var b [sessionIDLen / 2]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}

// ParseSessionID checks a session id from a request: 32 lowercase hex
// digits. Anything else is a 404 *Error.
func ParseSessionID(s string) (string, error) {
	if len(s) != sessionIDLen {
		return "", errorf(StatusBadRequest, "bad session %q: want the %d hex digits of a playback's %s", clip(s), sessionIDLen, SessionHeader)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return "", errorf(StatusBadRequest, "bad session %q: want the %d hex digits of a playback's %s", clip(s), sessionIDLen, SessionHeader)
		}
	}
	return s, nil
}
