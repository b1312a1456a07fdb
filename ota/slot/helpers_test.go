package slot

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/p2pcam/p2pcam/ota"
)

// Deterministic release keys.
var (
	releaseKey = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	otherKey   = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{8}, ed25519.SeedSize))
	releasePub = releaseKey.Public().(ed25519.PublicKey)
)

const (
	testDir  = "/data/slots"
	testArch = "arm64"
)

// binary is a fake p2pcamd of version v: 70 KB, so it is written in
// several chunks.
func binary(v string) []byte {
	return []byte(strings.Repeat("p2pcamd "+v+"\n", 70000/(len(v)+9)))
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// release describes a test bundle.
type release struct {
	version, min string
	arch         string // default testArch
	key          ed25519.PrivateKey
}

// makeBundle writes a signed bundle of r into a temporary directory.
func makeBundle(t testing.TB, r release) string {
	t.Helper()
	dir := t.TempDir()
	if r.arch == "" {
		r.arch = testArch
	}
	if r.min == "" {
		r.min = "0.1.0"
	}
	if r.key == nil {
		r.key = releaseKey
	}
	bin := filepath.Join(dir, "p2pcamd")
	other := filepath.Join(dir, "rootfs")
	if err := os.WriteFile(bin, binary(r.version), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(other, []byte(strings.Repeat("rootfs ", 3000)), 0o644); err != nil {
		t.Fatal(err)
	}
	var unsigned bytes.Buffer
	err := ota.Pack(&unsigned, ota.Release{Product: "acme", Version: r.version, MinVersion: r.min, Parts: []ota.PartFile{
		{Name: ota.PartAgent, Arch: r.arch, Path: bin},
		{Name: ota.PartRootfs, Arch: r.arch, Path: other},
	}})
	if err != nil {
		t.Fatal(err)
	}
	var signed bytes.Buffer
	if _, err := ota.Sign(&signed, &unsigned, r.key); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "release.p2pota")
	if err := os.WriteFile(path, signed.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// installer returns an installer into s for a camera running version.
func installer(t testing.TB, s *Store, version string) *Installer {
	t.Helper()
	in, err := NewInstaller(InstallerConfig{Store: s, Trusted: []ed25519.PublicKey{releasePub},
		Version: version, Arch: testArch, Product: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newStore(fsys FS) *Store {
	return New(Config{Dir: testDir, FS: fsys, Logger: quietLog()})
}
