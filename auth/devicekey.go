package auth

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"

	"github.com/p2pcam/p2pcam/internal/atomicfile"
)

// maxKeyFile bounds how much of a key file is read.
const maxKeyFile = 16 << 10

// LoadOrCreateDeviceKey returns the camera's Ed25519 device key stored at
// path as a PEM "PRIVATE KEY" (PKCS#8) block. If the file does not exist it
// generates a key, creates missing parent directories with mode 0700,
// writes the file atomically with mode 0600 and reports created. It never
// replaces an existing file: one accessible by group or others is refused
// with ErrKeyPermissions (fix: chmod 600), one that is not an Ed25519
// PKCS#8 key with ErrInvalidKey. It is not safe for two processes to
// create the same key at once.
func LoadOrCreateDeviceKey(path string) (key ed25519.PrivateKey, created bool, err error) {
	key, err = LoadPrivateKey(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, false, err
	}
	_, key, err = ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, false, fmt.Errorf("auth: generate device key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, false, fmt.Errorf("auth: encode device key: %w", err)
	}
	data := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false, fmt.Errorf("auth: device key directory: %w", err)
	}
	if err := atomicfile.WriteFile(path, data, 0o600); err != nil {
		return nil, false, fmt.Errorf("auth: write device key: %w", err)
	}
	return key, true, nil
}

// LoadPrivateKey reads an Ed25519 PKCS#8 PEM key (a device or issuer key)
// from path, refusing files that group or others may access. A missing
// file wraps fs.ErrNotExist.
func LoadPrivateKey(path string) (ed25519.PrivateKey, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("auth: device key: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("auth: device key: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s is not a regular file", ErrInvalidKey, path)
	}
	// Windows has no Unix permission bits to check.
	if perm := fi.Mode().Perm(); perm&0o077 != 0 && runtime.GOOS != "windows" {
		return nil, fmt.Errorf("%w: %s has mode %04o (fix: chmod 600 %s)", ErrKeyPermissions, path, perm, path)
	}
	data, err := readLimited(f, maxKeyFile)
	if err != nil {
		return nil, fmt.Errorf("auth: device key %s: %w", path, err)
	}
	key, err := parsePrivateKeyPEM(data)
	if err != nil {
		return nil, fmt.Errorf("%w (file %s)", err, path)
	}
	return key, nil
}

// parsePrivateKeyPEM decodes a single PEM "PRIVATE KEY" block holding an
// Ed25519 PKCS#8 key. Errors wrap ErrInvalidKey.
func parsePrivateKeyPEM(data []byte) (ed25519.PrivateKey, error) {
	block, rest := pem.Decode(data)
	switch {
	case block == nil:
		return nil, fmt.Errorf("%w: no PEM block", ErrInvalidKey)
	case block.Type != "PRIVATE KEY":
		return nil, fmt.Errorf("%w: PEM block is %q, want PRIVATE KEY (PKCS#8)", ErrInvalidKey, block.Type)
	case len(block.Headers) != 0:
		return nil, fmt.Errorf("%w: PEM block has headers (encrypted keys are not supported)", ErrInvalidKey)
	case len(bytes.TrimSpace(rest)) != 0:
		return nil, fmt.Errorf("%w: data after PEM block", ErrInvalidKey)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%w: PKCS#8: %v", ErrInvalidKey, err)
	}
	key, ok := parsed.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%w: %T is not an Ed25519 key", ErrInvalidKey, parsed)
	}
	return key, nil
}

// readLimited reads all of r, failing if it holds more than limit bytes.
func readLimited(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("file larger than %d bytes", limit)
	}
	return data, nil
}
