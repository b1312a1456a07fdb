package ota

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
)

// Deterministic keys, so the table's bundles are the same bytes each run
// and can seed the fuzzers.
var (
	releaseKey = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, ed25519.SeedSize))
	otherKey   = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{2}, ed25519.SeedSize))
	releasePub = releaseKey.Public().(ed25519.PublicKey)
)

// testParts are the parts of the good bundle, in order.
var testParts = []struct {
	name, arch, data string
}{
	{PartAgent, "armv7", strings.Repeat("armv7 p2pcamd ", 300)},
	{PartAgent, "arm64", strings.Repeat("arm64 p2pcamd ", 200)},
	{PartRootfs, "armv7", strings.Repeat("rootfs image ", 100)},
}

// goodManifest is the manifest of the good bundle.
func goodManifest() Manifest {
	m := Manifest{Format: ManifestFormat, Product: "acme", Boards: []string{"rpi4", "uvc"}, Version: "1.2.0", MinVersion: "1.0.0"}
	for _, p := range testParts {
		s := sha256.Sum256([]byte(p.data))
		m.Parts = append(m.Parts, Part{Name: p.name, Arch: p.arch, Size: int64(len(p.data)), SHA256: hex.EncodeToString(s[:])})
	}
	return m
}

// goodConfig is what a camera that should accept the good bundle uses.
func goodConfig() Config {
	return Config{Trusted: []ed25519.PublicKey{releasePub}, Arch: "armv7", Current: "1.1.0", Product: "acme", Board: "rpi4"}
}

// buildBundle encodes raw manifest bytes, signed by keys, and the test
// parts, without validating anything, so bad bundles can be made.
func buildBundle(raw []byte, keys ...ed25519.PrivateKey) []byte {
	var sigs []Signature
	for _, k := range keys {
		sigs = append(sigs, Signature{Key: k.Public().(ed25519.PublicKey), Sig: ed25519.Sign(k, signedMessage(raw))})
	}
	b := bytes.NewBuffer(appendHeader(nil, raw, sigs))
	for _, p := range testParts {
		b.WriteString(p.data)
	}
	return b.Bytes()
}

// rawManifest encodes m as JSON without validating it.
func rawManifest(m Manifest) []byte {
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return b
}
