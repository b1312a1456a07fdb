package auth

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"testing"
	"time"
)

// testDevice is the camera the test verifiers guard.
const testDevice = "PROD1/cam01"

// t0 is the issue time of the test tokens.
var t0 = time.Unix(1_700_000_000, 0).UTC()

// Test keys: trusted and other are distinct, fixed Ed25519 keys.
var (
	trusted  = testKey(1)
	trusted2 = testKey(2)
	other    = testKey(3)
)

// testKey returns the Ed25519 key whose seed is 32 copies of n.
func testKey(n byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{n}, ed25519.SeedSize))
}

// pubOf returns priv's public key.
func pubOf(priv ed25519.PrivateKey) ed25519.PublicKey {
	return priv.Public().(ed25519.PublicKey)
}

// at returns a clock stuck at t.
func at(t time.Time) func() time.Time { return func() time.Time { return t } }

// testClaims returns valid claims for testDevice: live and voice for an
// hour from t0.
func testClaims() Claims {
	return Claims{
		Issuer:   "cloud.test",
		Device:   testDevice,
		Subject:  "viewer-1",
		Perms:    PermLive | PermVoice,
		IssuedAt: t0,
		Expiry:   t0.Add(time.Hour),
		ID:       "0011223344556677",
	}
}

// testVerifier trusts the trusted key and reads the clock at t0+10m.
func testVerifier() *Verifier {
	return &Verifier{
		Keys:   []ed25519.PublicKey{pubOf(trusted)},
		Device: testDevice,
		Clock:  at(t0.Add(10 * time.Minute)),
	}
}

// mustSign signs c with priv or fails the test.
func mustSign(tb testing.TB, priv ed25519.PrivateKey, c Claims) string {
	tb.Helper()
	tok, err := Sign(priv, c)
	if err != nil {
		tb.Fatalf("Sign: %v", err)
	}
	return tok
}

// signRaw builds a token around an arbitrary payload, signed by priv.
func signRaw(priv ed25519.PrivateKey, payload []byte) string {
	signed := tokenPrefix + b64.EncodeToString(payload)
	return signed + "." + b64.EncodeToString(ed25519.Sign(priv, []byte(signed)))
}

// sentinels are the errors Verify may return, wrapped.
var sentinels = []error{
	ErrNoToken, ErrMalformed, ErrBadSignature, ErrExpired,
	ErrNotYetValid, ErrWrongDevice, ErrForbidden,
}

// isSentinel reports whether err wraps exactly one of sentinels.
func isSentinel(err error) bool {
	n := 0
	for _, s := range sentinels {
		if errors.Is(err, s) {
			n++
		}
	}
	return n == 1
}

// sameClaims reports whether a and b hold the same claims, comparing times
// as instants.
func sameClaims(a, b Claims) bool {
	return a.Issuer == b.Issuer && a.Device == b.Device && a.Subject == b.Subject &&
		a.Perms == b.Perms && a.ID == b.ID &&
		a.IssuedAt.Equal(b.IssuedAt) && a.NotBefore.Equal(b.NotBefore) && a.Expiry.Equal(b.Expiry)
}
