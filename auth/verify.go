package auth

import (
	"crypto/ed25519"
	"fmt"
	"strings"
	"time"
)

// DefaultLeeway is the clock skew a Verifier tolerates when Leeway is zero.
const DefaultLeeway = 30 * time.Second

// Verifier checks viewer tokens for one camera.
type Verifier struct {
	// Keys are the issuer public keys the camera trusts; a token picks one
	// by its kid. Entries of the wrong size are ignored.
	Keys []ed25519.PublicKey
	// Device is this camera, "PRODUCT/DEVICE". If empty, every token is
	// rejected with ErrWrongDevice.
	Device string
	// Clock returns the current time; nil means time.Now.
	Clock func() time.Time
	// Leeway is the clock skew tolerated on expiry and not-before; zero
	// means DefaultLeeway and a negative value means none.
	Leeway time.Duration
}

// Verify checks token and that it grants every permission in need (need 0
// checks the token alone), and returns its claims. Checks run in this order,
// each failure wrapping its own error: empty (ErrNoToken); structure,
// encoding and JSON syntax (ErrMalformed); key id and signature
// (ErrBadSignature); claim contents (ErrMalformed); expiry (ErrExpired);
// not-before, or issue time if absent (ErrNotYetValid); device
// (ErrWrongDevice); permissions (ErrForbidden). On error the claims are
// zero. Verify never panics and is safe for concurrent use; a nil
// Verifier trusts no key.
func (v *Verifier) Verify(token string, need Permission) (Claims, error) {
	if v == nil {
		v = &Verifier{}
	}
	if token == "" {
		return Claims{}, ErrNoToken
	}
	if len(token) > MaxTokenLen {
		return Claims{}, fmt.Errorf("%w: %d bytes, limit %d", ErrMalformed, len(token), MaxTokenLen)
	}
	signed, sigPart, payloadPart, err := splitToken(token)
	if err != nil {
		return Claims{}, err
	}
	raw, err := b64.DecodeString(payloadPart)
	if err != nil {
		return Claims{}, fmt.Errorf("%w: payload is not base64url", ErrMalformed)
	}
	sig, err := b64.DecodeString(sigPart)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return Claims{}, fmt.Errorf("%w: signature is not %d bytes of base64url", ErrMalformed, ed25519.SignatureSize)
	}
	p, err := decodePayload(raw)
	if err != nil {
		return Claims{}, err
	}
	if err := v.checkSignature(p.Kid, []byte(signed), sig); err != nil {
		return Claims{}, err
	}
	c, err := p.claims()
	if err != nil {
		return Claims{}, err
	}
	if err := v.checkClaims(c, need); err != nil {
		return Claims{}, err
	}
	return c, nil
}

// splitToken checks the token's shape and returns the signed part, the
// signature part and the payload part. Errors wrap ErrMalformed.
func splitToken(token string) (signed, sigPart, payloadPart string, err error) {
	for i := 0; i < len(token); i++ {
		if !isTokenByte(token[i]) {
			return "", "", "", fmt.Errorf("%w: byte %#x at %d is not base64url or '.'", ErrMalformed, token[i], i)
		}
	}
	rest, ok := strings.CutPrefix(token, tokenPrefix)
	if !ok {
		return "", "", "", fmt.Errorf("%w: unknown version (want prefix %q)", ErrMalformed, tokenPrefix)
	}
	payloadPart, sigPart, ok = strings.Cut(rest, ".")
	if !ok || payloadPart == "" || sigPart == "" || strings.Contains(sigPart, ".") {
		return "", "", "", fmt.Errorf("%w: want %q<payload>.<signature>", ErrMalformed, tokenPrefix)
	}
	return token[:len(tokenPrefix)+len(payloadPart)], sigPart, payloadPart, nil
}

// isTokenByte reports whether c may appear in a token.
func isTokenByte(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.'
}

// checkSignature checks sig over msg against the trusted keys whose id is
// kid. Errors wrap ErrBadSignature.
func (v *Verifier) checkSignature(kid string, msg, sig []byte) error {
	known := false
	for _, k := range v.Keys {
		if len(k) != ed25519.PublicKeySize || KeyID(k) != kid {
			continue
		}
		if ed25519.Verify(k, msg, sig) {
			return nil
		}
		known = true
	}
	if !known {
		return fmt.Errorf("%w: untrusted key id %.32q", ErrBadSignature, kid)
	}
	return fmt.Errorf("%w: token signature does not verify", ErrBadSignature)
}

// checkClaims applies time, device and permission rules to authentic c.
func (v *Verifier) checkClaims(c Claims, need Permission) error {
	now := time.Now()
	if v.Clock != nil {
		now = v.Clock()
	}
	leeway := v.Leeway
	switch {
	case leeway == 0:
		leeway = DefaultLeeway
	case leeway < 0:
		leeway = 0
	}
	nbf := c.NotBefore
	if nbf.IsZero() {
		nbf = c.IssuedAt
	}
	switch {
	case !now.Before(c.Expiry.Add(leeway)):
		return fmt.Errorf("%w: expired at %v", ErrExpired, c.Expiry)
	case now.Before(nbf.Add(-leeway)):
		return fmt.Errorf("%w: valid from %v", ErrNotYetValid, nbf)
	case v.Device == "" || c.Device != v.Device:
		return fmt.Errorf("%w: token for %q, this is %q", ErrWrongDevice, c.Device, v.Device)
	case !c.Perms.Has(need):
		return fmt.Errorf("%w: need %s, token grants %s", ErrForbidden, need, c.Perms)
	}
	return nil
}
