package auth

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

// checkVerifyResult fails t unless Verify's answer for tok is sound: an
// error wraps exactly one sentinel and comes with zero claims; success
// means tok carries a valid trusted signature and claims that pass v.
func checkVerifyResult(t *testing.T, v *Verifier, tok string, need Permission, c Claims, err error) {
	t.Helper()
	if err != nil {
		if !isSentinel(err) {
			t.Fatalf("Verify(%q) error %v is not exactly one sentinel", tok, err)
		}
		if c != (Claims{}) {
			t.Fatalf("Verify(%q) returned claims with error %v", tok, err)
		}
		return
	}
	i := strings.LastIndexByte(tok, '.')
	if i < 0 || !strings.HasPrefix(tok, tokenPrefix) {
		t.Fatalf("Verify accepted %q without the token shape", tok)
	}
	sig, derr := base64.RawURLEncoding.DecodeString(tok[i+1:])
	if derr != nil || !ed25519.Verify(pubOf(trusted), []byte(tok[:i]), sig) {
		t.Fatalf("Verify accepted %q without a valid trusted signature", tok)
	}
	now := v.Clock()
	if c.Device != v.Device || !c.Perms.Has(need) || c.Perms == 0 || c.Perms&^PermAll != 0 ||
		!c.Expiry.After(c.IssuedAt) || !now.Before(c.Expiry.Add(DefaultLeeway)) {
		t.Fatalf("Verify accepted %q with claims %+v", tok, c)
	}
}

func FuzzVerify(f *testing.F) {
	good := mustSign(f, trusted, testClaims())
	parts := strings.Split(good, ".")
	f.Add(good)
	f.Add(mustSign(f, trusted2, testClaims()))
	f.Add(mustSign(f, other, testClaims()))
	f.Add("")
	f.Add("p2pcam1.")
	f.Add("p2pcam1..")
	f.Add(parts[0] + "." + parts[1])
	f.Add(good + ".")
	f.Add(good[:len(good)-1])
	f.Add(good[:len(good)-1] + "B")
	f.Add(strings.Replace(good, "p2pcam1", "p2pcam2", 1))
	f.Add(parts[0] + "." + parts[1][:20] + "A" + parts[1][21:] + "." + parts[2])
	f.Add(parts[0] + "." + parts[1] + "." + parts[1])
	f.Add(strings.Repeat("A", MaxTokenLen+1))
	f.Fuzz(func(t *testing.T, tok string) {
		v := testVerifier()
		v.Keys = append(v.Keys, pubOf(trusted2)[:16])
		c, err := v.Verify(tok, PermLive)
		checkVerifyResult(t, v, tok, PermLive, c, err)
	})
}

// FuzzVerifyPayload signs arbitrary payloads with the trusted key, so the
// claim checks behind the signature get explored too.
func FuzzVerifyPayload(f *testing.F) {
	good := mustSign(f, trusted, testClaims())
	payload, err := b64.DecodeString(strings.Split(good, ".")[1])
	if err != nil {
		f.Fatal(err)
	}
	f.Add(payload)
	f.Add([]byte(`{"kid":"` + KeyID(pubOf(trusted)) + `","dev":"PROD1/cam01","perm":["live"],"iat":1700000000,"nbf":1,"exp":1700003600}`))
	f.Add([]byte(`{"kid":"x","kid":"y"}`))
	f.Add([]byte(`{} {}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		v := testVerifier()
		tok := signRaw(trusted, payload)
		c, err := v.Verify(tok, PermLive)
		checkVerifyResult(t, v, tok, PermLive, c, err)
		if err != nil {
			return
		}
		// Accepted claims survive a round trip through Sign (which would
		// fill in an empty ID).
		if c.ID == "" {
			c.ID = "00"
		}
		again, err := v.Verify(mustSign(t, trusted, c), PermLive)
		if err != nil || !sameClaims(again, c) {
			t.Fatalf("re-signed claims %+v: got %+v, %v", c, again, err)
		}
	})
}

func FuzzParsePublicKey(f *testing.F) {
	pub := pubOf(trusted)
	f.Add(MarshalPublicKey(pub))
	f.Add(base64.RawURLEncoding.EncodeToString(pub))
	f.Add("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAiojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w=\n-----END PUBLIC KEY-----\n")
	f.Add("-----BEGIN PUBLIC KEY-----\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		start := time.Now()
		got, err := ParsePublicKey(s)
		if time.Since(start) > time.Second {
			t.Fatalf("ParsePublicKey took %v on %d bytes", time.Since(start), len(s))
		}
		if err != nil {
			if !errors.Is(err, ErrInvalidKey) || got != nil {
				t.Fatalf("ParsePublicKey(%q) = %x, %v", s, got, err)
			}
			return
		}
		if len(got) != ed25519.PublicKeySize {
			t.Fatalf("ParsePublicKey(%q) returned %d bytes", s, len(got))
		}
		again, err := ParsePublicKey(MarshalPublicKey(got))
		if err != nil || !again.Equal(got) {
			t.Fatalf("round trip of %x: %x, %v", got, again, err)
		}
	})
}
