package auth

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// urlDistinctKey returns a fixed public key whose standard base64 form
// has '+' or '/', so the URL alphabet form differs from it.
func urlDistinctKey(t *testing.T) ed25519.PublicKey {
	t.Helper()
	for n := range 256 {
		pub := pubOf(testKey(byte(n)))
		if strings.ContainsAny(base64.StdEncoding.EncodeToString(pub), "+/") {
			return pub
		}
	}
	t.Fatal("no test key with + or / in base64")
	return nil
}

func TestParsePublicKey(t *testing.T) {
	pub := urlDistinctKey(t)
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	pemText := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	tests := []struct {
		name string
		in   string
	}{
		{"PEM", pemText},
		{"PEM with white space", "\n  " + pemText + "\n\n"},
		{"base64 std", base64.StdEncoding.EncodeToString(pub)},
		{"base64 std unpadded", base64.RawStdEncoding.EncodeToString(pub)},
		{"base64 url", base64.URLEncoding.EncodeToString(pub)},
		{"base64 url unpadded", base64.RawURLEncoding.EncodeToString(pub)},
		{"base64 with newline", base64.StdEncoding.EncodeToString(pub) + "\n"},
		{"MarshalPublicKey", MarshalPublicKey(pub)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePublicKey(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(pub) {
				t.Fatalf("got %x, want %x", got, pub)
			}
		})
	}
}

func TestParsePublicKeyRejects(t *testing.T) {
	pub := pubOf(trusted)
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, err := x509.MarshalPKIXPublicKey(&ec.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	edDER, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	privDER, err := x509.MarshalPKCS8PrivateKey(trusted)
	if err != nil {
		t.Fatal(err)
	}
	pemOf := func(typ string, der []byte) string {
		return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
	}
	tests := []struct {
		name string
		in   string
	}{
		{"empty", ""},
		{"white space", " \n\t"},
		{"garbage", "not a key"},
		{"31 bytes", base64.StdEncoding.EncodeToString(pub[:31])},
		{"33 bytes", base64.StdEncoding.EncodeToString(append(pub[:32:32], 0))},
		{"64-byte private key", base64.StdEncoding.EncodeToString(trusted)},
		{"hex", "3a" + strings.Repeat("00", 31)},
		{"ECDSA PEM", pemOf("PUBLIC KEY", ecDER)},
		{"private key PEM", pemOf("PRIVATE KEY", privDER)},
		{"wrong PEM type", pemOf("ED25519 PUBLIC KEY", edDER)},
		{"corrupted DER", pemOf("PUBLIC KEY", edDER[:len(edDER)-1])},
		{"data after PEM", pemOf("PUBLIC KEY", edDER) + "x"},
		{"broken PEM", "-----BEGIN PUBLIC KEY-----\nAAAA"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePublicKey(tt.in)
			if !errors.Is(err, ErrInvalidKey) || got != nil {
				t.Fatalf("ParsePublicKey = %x, %v; want ErrInvalidKey", got, err)
			}
		})
	}
}

func TestMarshalPublicKey(t *testing.T) {
	pub := pubOf(trusted)
	s := MarshalPublicKey(pub)
	if len(s) != 44 {
		t.Fatalf("MarshalPublicKey = %q (%d chars), want 44", s, len(s))
	}
	if s != base64.StdEncoding.EncodeToString(pub) {
		t.Fatalf("MarshalPublicKey = %q, want standard base64", s)
	}
}

func TestLoadPublicKey(t *testing.T) {
	pub := pubOf(trusted)
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	tests := []struct {
		name    string
		content string
		wantErr bool
	}{
		{"PEM", string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})), false},
		{"base64", MarshalPublicKey(pub) + "\n", false},
		{"garbage", "x", true},
		{"too big", MarshalPublicKey(pub) + strings.Repeat(" ", maxKeyFile), true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, fmt.Sprint("key", i))
			if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := LoadPublicKey(path)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("LoadPublicKey = %x, want an error", got)
				}
				return
			}
			if err != nil || !got.Equal(pub) {
				t.Fatalf("LoadPublicKey = %x, %v; want %x", got, err, pub)
			}
		})
	}
	if _, err := LoadPublicKey(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing file: error = %v, want fs.ErrNotExist", err)
	}
}
