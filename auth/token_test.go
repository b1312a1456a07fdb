package auth

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestSignVerifyRoundTrip(t *testing.T) {
	withNbf := testClaims()
	withNbf.NotBefore = t0.Add(5 * time.Minute)
	minimal := Claims{Device: testDevice, Perms: PermAll, IssuedAt: t0, Expiry: t0.Add(time.Hour), ID: "ab"}
	tests := []struct {
		name string
		c    Claims
	}{
		{"full", testClaims()},
		{"not before", withNbf},
		{"minimal", minimal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := mustSign(t, trusted, tt.c)
			got, err := testVerifier().Verify(tok, PermLive)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if !sameClaims(got, tt.c) {
				t.Fatalf("Verify = %+v, want %+v", got, tt.c)
			}
		})
	}
}

func TestSignTruncatesToSeconds(t *testing.T) {
	c := testClaims()
	c.IssuedAt = t0.Add(900 * time.Millisecond)
	got, err := testVerifier().Verify(mustSign(t, trusted, c), 0)
	if err != nil {
		t.Fatal(err)
	}
	if !got.IssuedAt.Equal(t0) {
		t.Fatalf("IssuedAt = %v, want %v", got.IssuedAt, t0)
	}
}

func TestSignWireFormat(t *testing.T) {
	tok := mustSign(t, trusted, testClaims())
	if !strings.HasPrefix(tok, "p2pcam1.") {
		t.Fatalf("token %q lacks the p2pcam1. prefix", tok)
	}
	for i := 0; i < len(tok); i++ {
		if !isTokenByte(tok[i]) {
			t.Fatalf("token has byte %q at %d", tok[i], i)
		}
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts, want 3", len(parts))
	}
	payload, err := b64.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(payload, &m); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"kid":  KeyID(pubOf(trusted)),
		"iss":  "cloud.test",
		"dev":  testDevice,
		"sub":  "viewer-1",
		"perm": []any{"live", "voice"},
		"iat":  float64(t0.Unix()),
		"exp":  float64(t0.Add(time.Hour).Unix()),
		"jti":  "0011223344556677",
	}
	if !reflect.DeepEqual(m, want) {
		t.Fatalf("payload = %v, want %v", m, want)
	}
	if sig, err := b64.DecodeString(parts[2]); err != nil || len(sig) != 64 {
		t.Fatalf("signature part decodes to %d bytes, %v", len(sig), err)
	}
}

// TestDocumentedFormat builds a token by hand from the format comment in
// token.go, so other implementations can rely on it.
func TestDocumentedFormat(t *testing.T) {
	payload := `{"kid":"` + KeyID(pubOf(trusted)) + `",
	 "iss":"cloud.example",
	 "dev":"` + testDevice + `",
	 "sub":"viewer-42",
	 "perm":["live","voice"],
	 "iat":1700000000,
	 "nbf":1700000000,
	 "exp":1700003600,
	 "jti":"9f86d081884c7d65"}`
	got, err := testVerifier().Verify(signRaw(trusted, []byte(payload)), PermVoice)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	want := Claims{
		Issuer: "cloud.example", Device: testDevice, Subject: "viewer-42",
		Perms: PermLive | PermVoice, IssuedAt: t0, NotBefore: t0,
		Expiry: t0.Add(time.Hour), ID: "9f86d081884c7d65",
	}
	if !sameClaims(got, want) {
		t.Fatalf("Verify = %+v, want %+v", got, want)
	}
}

func TestSignFillsID(t *testing.T) {
	c := testClaims()
	c.ID = ""
	seen := map[string]bool{}
	for range 3 {
		got, err := testVerifier().Verify(mustSign(t, trusted, c), 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.ID) != 32 {
			t.Fatalf("ID %q, want 32 hex digits", got.ID)
		}
		if _, err := hex.DecodeString(got.ID); err != nil {
			t.Fatalf("ID %q is not hex", got.ID)
		}
		if seen[got.ID] {
			t.Fatalf("ID %q repeated", got.ID)
		}
		seen[got.ID] = true
	}
}

func TestSignRejects(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*Claims)
		priv   []byte
		wantIs error
	}{
		{"empty device", func(c *Claims) { c.Device = "" }, nil, ErrInvalidClaims},
		{"no permissions", func(c *Claims) { c.Perms = 0 }, nil, ErrInvalidClaims},
		{"unknown permission bit", func(c *Claims) { c.Perms |= 0x80 }, nil, ErrInvalidClaims},
		{"zero issue time", func(c *Claims) { c.IssuedAt = time.Time{} }, nil, ErrInvalidClaims},
		{"expiry equals issue", func(c *Claims) { c.Expiry = c.IssuedAt }, nil, ErrInvalidClaims},
		{"expiry before issue", func(c *Claims) { c.Expiry = c.IssuedAt.Add(-time.Hour) }, nil, ErrInvalidClaims},
		{"expiry in same second", func(c *Claims) { c.Expiry = c.IssuedAt.Add(500 * time.Millisecond) }, nil, ErrInvalidClaims},
		{"expiry not after nbf", func(c *Claims) { c.NotBefore = c.Expiry }, nil, ErrInvalidClaims},
		{"before 1970", func(c *Claims) { c.IssuedAt = time.Unix(-10, 0) }, nil, ErrInvalidClaims},
		{"after 9999", func(c *Claims) { c.Expiry = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, nil, ErrInvalidClaims},
		{"too long", func(c *Claims) { c.Subject = strings.Repeat("x", MaxTokenLen) }, nil, ErrInvalidClaims},
		{"short key", nil, trusted[:32], ErrInvalidKey},
		{"nil key", nil, []byte{}, ErrInvalidKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := testClaims()
			if tt.edit != nil {
				tt.edit(&c)
			}
			priv := trusted
			if tt.priv != nil {
				priv = tt.priv
			}
			tok, err := Sign(priv, c)
			if !errors.Is(err, tt.wantIs) || tok != "" {
				t.Fatalf("Sign = %q, %v; want error %v", tok, err, tt.wantIs)
			}
		})
	}
}

func TestKeyID(t *testing.T) {
	pub := pubOf(trusted)
	sum := sha256.Sum256(pub)
	if got, want := KeyID(pub), hex.EncodeToString(sum[:])[:16]; got != want {
		t.Fatalf("KeyID = %q, want %q", got, want)
	}
	if KeyID(pub) == KeyID(pubOf(other)) {
		t.Fatal("two keys share a key id")
	}
}
