package cloud

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// mqttCredPrefix starts a session credential, so that it can never be
// taken for an account's password (GeneratePassword makes base32).
const mqttCredPrefix = "p2pcam-mqtt1."

// MQTTCredential is a short-lived MQTT password for a viewer account,
// issued by the token service at login so that a browser need not keep
// the account's password: "p2pcam-mqtt1.EXPIRY.MAC", the MAC an
// HMAC-SHA256 under key of the user name and the expiry (unix seconds).
// The broker accepts it, for that user only, until it expires.
func MQTTCredential(key []byte, user string, expiry time.Time) string {
	exp := strconv.FormatInt(expiry.Unix(), 10)
	return mqttCredPrefix + exp + "." + base64.RawURLEncoding.EncodeToString(mqttCredMAC(key, user, exp))
}

// checkMQTTCredential reports whether cred is a credential for user that
// has not expired at now.
func checkMQTTCredential(key []byte, user, cred string, now time.Time) bool {
	rest, ok := strings.CutPrefix(cred, mqttCredPrefix)
	if !ok || len(key) == 0 {
		return false
	}
	exp, mac, ok := strings.Cut(rest, ".")
	if !ok {
		return false
	}
	sec, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || now.Unix() >= sec {
		return false
	}
	got, err := base64.RawURLEncoding.DecodeString(mac)
	return err == nil && hmac.Equal(got, mqttCredMAC(key, user, exp))
}

func mqttCredMAC(key []byte, user, exp string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(user))
	m.Write([]byte{0})
	m.Write([]byte(exp))
	return m.Sum(nil)
}

// deriveKey derives a key for one purpose from the cloud's secret, so
// that TURN passwords and MQTT credentials never share a key.
func deriveKey(secret []byte, purpose string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("p2pcam cloud key: " + purpose))
	return m.Sum(nil)
}
