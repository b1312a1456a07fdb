// Package otatest makes signed update bundles for tests of the packages
// that deliver and install them.
package otatest

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/p2pcam/p2pcam/ota"
)

// Key returns a deterministic release key made from seed.
func Key(seed byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
}

// Bundle is a bundle's bytes and what an announcement says of it.
type Bundle struct {
	Data    []byte
	Product string
	Version string
	Min     string
}

// SHA256 is the bundle file's lower-case hex SHA-256.
func (b Bundle) SHA256() string {
	s := sha256.Sum256(b.Data)
	return hex.EncodeToString(s[:])
}

// Announcement announces b at url.
func (b Bundle) Announcement(url string) *ota.Announcement {
	return &ota.Announcement{Product: b.Product, Version: b.Version, MinVersion: b.Min, URL: url, Size: int64(len(b.Data)), SHA256: b.SHA256()}
}

// Make packs a bundle of product at version (floor min) with a p2pcamd
// part of agent bytes for arch, signed by key (nil: unsigned).
func Make(t testing.TB, key ed25519.PrivateKey, product, version, min, arch string, agent []byte) Bundle {
	t.Helper()
	part := filepath.Join(t.TempDir(), "p2pcamd")
	if err := os.WriteFile(part, agent, 0o600); err != nil {
		t.Fatal(err)
	}
	var unsigned bytes.Buffer
	if err := ota.Pack(&unsigned, ota.Release{Product: product, Version: version, MinVersion: min,
		Parts: []ota.PartFile{{Name: ota.PartAgent, Arch: arch, Path: part}}}); err != nil {
		t.Fatal(err)
	}
	b := Bundle{Data: unsigned.Bytes(), Product: product, Version: version, Min: min}
	if key == nil {
		return b
	}
	var signed bytes.Buffer
	if _, err := ota.Sign(&signed, &unsigned, key); err != nil {
		t.Fatal(err)
	}
	b.Data = signed.Bytes()
	return b
}
