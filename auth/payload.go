package auth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// payload is the JSON body of a token, field for field.
type payload struct {
	Kid  string   `json:"kid"`
	Iss  string   `json:"iss,omitempty"`
	Dev  string   `json:"dev"`
	Sub  string   `json:"sub,omitempty"`
	Perm []string `json:"perm"`
	Iat  int64    `json:"iat"`
	Nbf  *int64   `json:"nbf,omitempty"`
	Exp  int64    `json:"exp"`
	Jti  string   `json:"jti,omitempty"`
}

// encodePayload returns the JSON payload for c signed by key kid.
func encodePayload(kid string, c Claims) ([]byte, error) {
	p := payload{
		Kid:  kid,
		Iss:  c.Issuer,
		Dev:  c.Device,
		Sub:  c.Subject,
		Perm: c.Perms.Names(),
		Iat:  c.IssuedAt.Unix(),
		Exp:  c.Expiry.Unix(),
		Jti:  c.ID,
	}
	if !c.NotBefore.IsZero() {
		nbf := c.NotBefore.Unix()
		p.Nbf = &nbf
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("auth: encode claims: %w", err)
	}
	return b, nil
}

// Bits recording which payload keys were seen.
const (
	seenKid = 1 << iota
	seenIss
	seenDev
	seenSub
	seenPerm
	seenIat
	seenNbf
	seenExp
	seenJti

	seenRequired = seenKid | seenDev | seenPerm | seenIat | seenExp
)

// decodePayload parses b strictly: one JSON object, known case-sensitive
// keys each at most once, no nulls, nothing after it. Errors wrap
// ErrMalformed.
func decodePayload(b []byte) (payload, error) {
	var p payload
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return p, fmt.Errorf("%w: payload is not a JSON object", ErrMalformed)
	}
	seen := 0
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return p, fmt.Errorf("%w: payload JSON: %v", ErrMalformed, err)
		}
		key, _ := tok.(string)
		var bit int
		var dst any
		switch key {
		case "kid":
			bit, dst = seenKid, &p.Kid
		case "iss":
			bit, dst = seenIss, &p.Iss
		case "dev":
			bit, dst = seenDev, &p.Dev
		case "sub":
			bit, dst = seenSub, &p.Sub
		case "perm":
			bit, dst = seenPerm, &p.Perm
		case "iat":
			bit, dst = seenIat, &p.Iat
		case "nbf":
			bit, dst = seenNbf, &p.Nbf
		case "exp":
			bit, dst = seenExp, &p.Exp
		case "jti":
			bit, dst = seenJti, &p.Jti
		default:
			return p, fmt.Errorf("%w: unknown key %q", ErrMalformed, key)
		}
		if seen&bit != 0 {
			return p, fmt.Errorf("%w: duplicate key %q", ErrMalformed, key)
		}
		seen |= bit
		if err := decodeValue(dec, dst); err != nil {
			return p, fmt.Errorf("%w: key %q: %v", ErrMalformed, key, err)
		}
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return p, fmt.Errorf("%w: payload object not closed", ErrMalformed)
	}
	if _, err := dec.Token(); err != io.EOF {
		return p, fmt.Errorf("%w: data after payload object", ErrMalformed)
	}
	if seen&seenRequired != seenRequired {
		return p, fmt.Errorf("%w: payload lacks a required key (kid, dev, perm, iat, exp)", ErrMalformed)
	}
	return p, nil
}

// maxUnix is 9999-12-31T23:59:59Z, the last time a token may carry.
const maxUnix = 253402300799

// inTimeRange reports whether unix seconds t lies in 1970..9999.
func inTimeRange(t int64) bool { return t >= 0 && t <= maxUnix }

// errNull rejects a JSON null where a value is needed.
var errNull = errors.New("null value")

// decodeValue decodes the next JSON value from dec into dst, refusing null.
func decodeValue(dec *json.Decoder, dst any) error {
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return err
	}
	if string(raw) == "null" {
		return errNull
	}
	return json.Unmarshal(raw, dst)
}

// claims checks the meaning of an authenticated payload and converts it.
// Errors wrap ErrMalformed.
func (p payload) claims() (Claims, error) {
	c := Claims{
		Issuer:   p.Iss,
		Device:   p.Dev,
		Subject:  p.Sub,
		IssuedAt: time.Unix(p.Iat, 0).UTC(),
		Expiry:   time.Unix(p.Exp, 0).UTC(),
		ID:       p.Jti,
	}
	if c.Device == "" {
		return Claims{}, fmt.Errorf("%w: empty device", ErrMalformed)
	}
	if len(p.Perm) == 0 {
		return Claims{}, fmt.Errorf("%w: no permissions", ErrMalformed)
	}
	for _, name := range p.Perm {
		bit := permByName(name)
		if bit == 0 {
			return Claims{}, fmt.Errorf("%w: unknown permission %q", ErrMalformed, name)
		}
		if c.Perms&bit != 0 {
			return Claims{}, fmt.Errorf("%w: permission %q listed twice", ErrMalformed, name)
		}
		c.Perms |= bit
	}
	for _, t := range [...]*int64{&p.Iat, p.Nbf, &p.Exp} {
		if t != nil && !inTimeRange(*t) {
			return Claims{}, fmt.Errorf("%w: time %d outside 1970..9999", ErrMalformed, *t)
		}
	}
	if p.Exp <= p.Iat {
		return Claims{}, fmt.Errorf("%w: expiry not after issue time", ErrMalformed)
	}
	if p.Nbf != nil {
		if p.Exp <= *p.Nbf {
			return Claims{}, fmt.Errorf("%w: expiry not after not-before", ErrMalformed)
		}
		c.NotBefore = time.Unix(*p.Nbf, 0).UTC()
	}
	return c, nil
}
