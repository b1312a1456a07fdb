package auth

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"os"
	"strings"
)

// pubKeyEncodings are the base64 forms ParsePublicKey accepts.
var pubKeyEncodings = [...]*base64.Encoding{
	base64.StdEncoding.Strict(),
	base64.URLEncoding.Strict(),
	base64.RawStdEncoding.Strict(),
	base64.RawURLEncoding.Strict(),
}

// ParsePublicKey parses an Ed25519 public key written either as a PEM
// "PUBLIC KEY" (PKIX) block or as base64 (standard or URL alphabet, padded
// or not) of its 32 bytes. Surrounding white space is ignored. Errors wrap
// ErrInvalidKey.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "-----BEGIN") {
		return parsePublicKeyPEM(s)
	}
	if s == "" {
		return nil, fmt.Errorf("%w: empty public key", ErrInvalidKey)
	}
	for _, enc := range pubKeyEncodings {
		if b, err := enc.DecodeString(s); err == nil && len(b) == ed25519.PublicKeySize {
			return ed25519.PublicKey(b), nil
		}
	}
	return nil, fmt.Errorf("%w: public key is neither PEM nor base64 of %d bytes", ErrInvalidKey, ed25519.PublicKeySize)
}

// parsePublicKeyPEM decodes a single PEM "PUBLIC KEY" block holding an
// Ed25519 PKIX key.
func parsePublicKeyPEM(s string) (ed25519.PublicKey, error) {
	block, rest := pem.Decode([]byte(s))
	switch {
	case block == nil:
		return nil, fmt.Errorf("%w: bad PEM", ErrInvalidKey)
	case block.Type != "PUBLIC KEY":
		return nil, fmt.Errorf("%w: PEM block is %q, want PUBLIC KEY", ErrInvalidKey, block.Type)
	case len(strings.TrimSpace(string(rest))) != 0:
		return nil, fmt.Errorf("%w: data after PEM block", ErrInvalidKey)
	}
	parsed, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%w: PKIX: %v", ErrInvalidKey, err)
	}
	key, ok := parsed.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("%w: %T is not an Ed25519 key", ErrInvalidKey, parsed)
	}
	return key, nil
}

// LoadPublicKey reads a public key file in any form ParsePublicKey accepts.
func LoadPublicKey(path string) (ed25519.PublicKey, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("auth: public key: %w", err)
	}
	defer f.Close()
	data, err := readLimited(f, maxKeyFile)
	if err != nil {
		return nil, fmt.Errorf("auth: public key %s: %w", path, err)
	}
	key, err := ParsePublicKey(string(data))
	if err != nil {
		return nil, fmt.Errorf("%w (file %s)", err, path)
	}
	return key, nil
}

// PublicKeyArg reads the key from the file s names, or else parses s: a
// command-line flag that takes either.
func PublicKeyArg(s string) (ed25519.PublicKey, error) {
	if _, err := os.Stat(s); err == nil {
		return LoadPublicKey(s)
	}
	return ParsePublicKey(s)
}

// MarshalPublicKey returns pub in standard padded base64 (44 characters for
// an Ed25519 key), the form used in config files and the MQTT property.
func MarshalPublicKey(pub ed25519.PublicKey) string {
	return base64.StdEncoding.EncodeToString(pub)
}
