package relay

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// TicketTTL is how long a play ticket lets its viewer start playing:
// nginx-rtmp asks on_play once, at the start of a play, so the ticket
// need only outlive the viewer's way from the redirect to the relay.
const TicketTTL = time.Minute

// Why tickets and not the viewer's token: nginx-rtmp cuts a play's
// stream name and query at 255 bytes (NGX_RTMP_MAX_NAME), and a p2pcam1
// token is about 350 bytes, so it never reaches on_play whole. The
// camera, which has checked the viewer's token already, mints a ticket
// of under 100 bytes instead.

// ticketSigSize is the bytes of HMAC-SHA256 a ticket keeps: 128 bits.
const ticketSigSize = 16

// maxTicketSubject bounds a ticket's subject (a broker user name is at
// most 64 bytes), so a ticket stays well inside nginx-rtmp's 255.
const maxTicketSubject = 64

// Ticket lets a viewer play a stream on the relay until Expiry. The
// camera mints it with its device secret (DeviceSecret) for each viewer
// it sends to the relay; the relay's on_play callback checks it.
type Ticket struct {
	Stream  string
	Subject string // the viewer's token subject; "" when the camera has no auth
	Expiry  time.Time
}

// DeviceSecret derives a device's relay secret from the cloud's master
// secret, so that one camera's secret mints tickets for its own streams
// only. The camera holds it as relay.secret (base64url, SecretString).
func DeviceSecret(master []byte, device string) []byte {
	m := hmac.New(sha256.New, master)
	m.Write([]byte("p2pcam relay secret v1\n" + device))
	return m.Sum(nil)
}

// SecretString is the config form of a secret.
func SecretString(secret []byte) string { return base64.RawURLEncoding.EncodeToString(secret) }

// ParseSecret reads the config form of a secret: base64url, 16 bytes or more.
func ParseSecret(s string) ([]byte, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 16 {
		return nil, fmt.Errorf("%w: relay.secret: want the base64url secret p2pcam cloud relay-secret prints", ErrBadConfig)
	}
	return b, nil
}

func (t Ticket) sig(secret []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(t.Stream + "\n" + t.Subject + "\n" + strconv.FormatInt(t.Expiry.Unix(), 10)))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:ticketSigSize])
}

// Query returns the ticket as a play URL's query: sub=...&exp=...&sig=...
func (t Ticket) Query(secret []byte) string {
	v := url.Values{}
	v.Set("sub", t.Subject)
	v.Set("exp", strconv.FormatInt(t.Expiry.Unix(), 10))
	v.Set("sig", t.sig(secret))
	return v.Encode()
}

// CheckTicket checks the ticket in a play's query (as on_play's form
// passes it on) for stream at now, with the device's secret.
func CheckTicket(secret []byte, stream string, q url.Values, now time.Time) (Ticket, error) {
	sub, exp, sig := q.Get("sub"), q.Get("exp"), q.Get("sig")
	if sig == "" {
		return Ticket{}, fmt.Errorf("%w: no ticket (sig)", ErrBadTicket)
	}
	if len(sub) > maxTicketSubject {
		return Ticket{}, fmt.Errorf("%w: subject of %d bytes", ErrBadTicket, len(sub))
	}
	e, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || e < 0 || e > 1<<40 {
		return Ticket{}, fmt.Errorf("%w: exp %q", ErrBadTicket, exp)
	}
	t := Ticket{Stream: stream, Subject: sub, Expiry: time.Unix(e, 0)}
	if !hmac.Equal([]byte(sig), []byte(t.sig(secret))) {
		return Ticket{}, fmt.Errorf("%w: bad signature", ErrBadTicket)
	}
	if now.After(t.Expiry) {
		return Ticket{}, fmt.Errorf("%w: expired at %s", ErrBadTicket, t.Expiry.UTC().Format(time.RFC3339))
	}
	return t, nil
}
