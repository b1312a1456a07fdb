package cloud

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/pion/turn/v4"
)

// TURNCredentials makes time-limited TURN credentials in the "TURN REST
// API" scheme that coturn implements with use-auth-secret and
// static-auth-secret: the user name is "<unix expiry>:<user>" (just the
// expiry if user is empty) and the password is base64(HMAC-SHA1(secret,
// username)). They are valid until now+ttl on any server sharing secret.
func TURNCredentials(secret []byte, user string, ttl time.Duration, now time.Time) (username, password string) {
	username = strconv.FormatInt(now.Add(ttl).Unix(), 10)
	if user != "" {
		username += ":" + user
	}
	return username, turnPassword(secret, username)
}

// turnPassword is the REST API password of username.
func turnPassword(secret []byte, username string) string {
	mac := hmac.New(sha1.New, secret)
	mac.Write([]byte(username))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// turnExpiry parses the expiry from a REST API user name.
func turnExpiry(username string) (time.Time, bool) {
	ts, _, _ := strings.Cut(username, ":")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sec <= 0 {
		return time.Time{}, false
	}
	return time.Unix(sec, 0), true
}

// restAuthHandler returns a pion/turn AuthHandler for REST API
// credentials: it refuses malformed and expired user names, and otherwise
// gives pion the long-term key of the password TURNCredentials would have
// made, so a request signed with any other password fails its integrity
// check. now is the clock, time.Now outside tests.
func restAuthHandler(secret []byte, realm string, now func() time.Time, log *slog.Logger) turn.AuthHandler {
	return func(username, _ string, src net.Addr) ([]byte, bool) {
		exp, ok := turnExpiry(username)
		if !ok {
			log.Warn("cloud: turn auth refused", "user", username, "remote", src.String(), "reason", "user name is not <unix expiry>:<user>")
			return nil, false
		}
		if !now().Before(exp) {
			log.Warn("cloud: turn auth refused", "user", username, "remote", src.String(), "reason", "credentials expired", "expired", exp)
			return nil, false
		}
		return turn.GenerateAuthKey(username, realm, turnPassword(secret, username)), true
	}
}
