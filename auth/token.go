package auth

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"
)

// A token is compact, URL-safe ASCII with no padding:
//
//	p2pcam1.<payload>.<signature>
//
// payload is base64url (RFC 4648 §5, no padding) of a JSON object:
//
//	{"kid":"1a2b3c4d5e6f7081",  key id: KeyID of the signing key (required)
//	 "iss":"cloud.example",     issuer (optional)
//	 "dev":"PRODUCT/DEVICE",    device the token is for (required)
//	 "sub":"viewer-42",         viewer id (optional)
//	 "perm":["live","voice"],   permissions, at least one (required)
//	 "iat":1700000000,          issued at, unix seconds (required)
//	 "nbf":1700000000,          not before, unix seconds (optional; default iat)
//	 "exp":1700003600,          expiry, unix seconds, after iat (required)
//	 "jti":"9f86d081884c7d65"}  random nonce, hex (optional)
//
// signature is base64url, no padding, of the 64-byte Ed25519 signature over
// the ASCII bytes "p2pcam1." followed by the payload part exactly as it
// appears in the token. Times lie in the years 1970..9999. Keys are
// case-sensitive; unknown, duplicate or null keys, unknown or repeated
// permission names, and data after the object make a token malformed.
// The whole token is at most MaxTokenLen bytes.
const (
	tokenPrefix = "p2pcam1."
	// MaxTokenLen is the longest token Verify accepts, in bytes.
	MaxTokenLen = 4096
)

// b64 is the token's base64 flavour: URL alphabet, no padding, canonical.
var b64 = base64.RawURLEncoding.Strict()

// Claims is what a token says about its bearer.
type Claims struct {
	// Issuer names who issued the token; optional.
	Issuer string
	// Device is the camera the token is for, "PRODUCT/DEVICE".
	Device string
	// Subject is the viewer id; optional.
	Subject string
	// Perms is what the bearer may do.
	Perms Permission
	// IssuedAt is when the token was issued.
	IssuedAt time.Time
	// NotBefore is when the token becomes valid; zero means IssuedAt.
	NotBefore time.Time
	// Expiry is when the token stops being valid.
	Expiry time.Time
	// ID is a random nonce in hex; Sign fills it in when empty.
	ID string
}

// KeyID returns the id a token uses to name pub: the first 8 bytes of the
// SHA-256 of the key, in lower-case hex.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// Sign encodes c as a token signed with priv. Times are truncated to whole
// seconds. It refuses (ErrInvalidClaims) an empty Device, a zero IssuedAt,
// a time outside the years 1970..9999, an Expiry not after IssuedAt or
// NotBefore, an empty or unknown Perms, and
// a token that would exceed MaxTokenLen; a bad key is ErrInvalidKey.
func Sign(priv ed25519.PrivateKey, c Claims) (string, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return "", fmt.Errorf("%w: private key is %d bytes, want %d", ErrInvalidKey, len(priv), ed25519.PrivateKeySize)
	}
	if err := checkClaims(c); err != nil {
		return "", err
	}
	if c.ID == "" {
		var nonce [16]byte
		if _, err := rand.Read(nonce[:]); err != nil {
			return "", fmt.Errorf("auth: token nonce: %w", err)
		}
		c.ID = hex.EncodeToString(nonce[:])
	}
	pub := priv.Public().(ed25519.PublicKey)
	payload, err := encodePayload(KeyID(pub), c)
	if err != nil {
		return "", err
	}
	n := len(tokenPrefix) + b64.EncodedLen(len(payload)) + 1 + b64.EncodedLen(ed25519.SignatureSize)
	if n > MaxTokenLen {
		return "", fmt.Errorf("%w: token would be %d bytes, limit %d", ErrInvalidClaims, n, MaxTokenLen)
	}
	tok := make([]byte, 0, n)
	tok = append(tok, tokenPrefix...)
	tok = b64.AppendEncode(tok, payload)
	sig := ed25519.Sign(priv, tok)
	tok = append(tok, '.')
	tok = b64.AppendEncode(tok, sig)
	return string(tok), nil
}

// checkClaims applies Sign's rules to c.
func checkClaims(c Claims) error {
	switch {
	case c.Device == "":
		return fmt.Errorf("%w: empty device", ErrInvalidClaims)
	case c.Perms == 0:
		return fmt.Errorf("%w: no permissions", ErrInvalidClaims)
	case c.Perms&^PermAll != 0:
		return fmt.Errorf("%w: unknown permission bits %s", ErrInvalidClaims, c.Perms)
	case c.IssuedAt.IsZero():
		return fmt.Errorf("%w: zero issue time", ErrInvalidClaims)
	case !inTimeRange(c.IssuedAt.Unix()) || !inTimeRange(c.Expiry.Unix()) ||
		!c.NotBefore.IsZero() && !inTimeRange(c.NotBefore.Unix()):
		return fmt.Errorf("%w: time outside 1970..9999", ErrInvalidClaims)
	case c.Expiry.Unix() <= c.IssuedAt.Unix():
		return fmt.Errorf("%w: expiry %v is not after issue time %v", ErrInvalidClaims, c.Expiry, c.IssuedAt)
	case !c.NotBefore.IsZero() && c.Expiry.Unix() <= c.NotBefore.Unix():
		return fmt.Errorf("%w: expiry %v is not after not-before %v", ErrInvalidClaims, c.Expiry, c.NotBefore)
	}
	return nil
}
