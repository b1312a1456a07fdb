package slot

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/p2pcam/p2pcam/ota"
)

// BenchmarkInstall installs a bundle with a 12 MB binary into a fresh
// store on the real file system: two verify passes, the write and its
// fsyncs, the state switch.
func BenchmarkInstall(b *testing.B) {
	const size = 12 << 20
	dir := b.TempDir()
	bin := filepath.Join(dir, "p2pcamd")
	data := make([]byte, size)
	rand.Read(data)
	if err := os.WriteFile(bin, data, 0o644); err != nil {
		b.Fatal(err)
	}
	var unsigned, signed bytes.Buffer
	if err := ota.Pack(&unsigned, ota.Release{Product: "acme", Version: "1.1.0", MinVersion: "1.0.0",
		Parts: []ota.PartFile{{Name: ota.PartAgent, Arch: testArch, Path: bin}}}); err != nil {
		b.Fatal(err)
	}
	if _, err := ota.Sign(&signed, &unsigned, releaseKey); err != nil {
		b.Fatal(err)
	}
	bundle := filepath.Join(dir, "release.p2pota")
	if err := os.WriteFile(bundle, signed.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s := New(Config{Dir: b.TempDir(), Logger: quietLog()})
		in, err := NewInstaller(InstallerConfig{Store: s, Trusted: []ed25519.PublicKey{releasePub}, Version: "1.0.0", Arch: testArch})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := in.Install(context.Background(), bundle); err != nil {
			b.Fatal(err)
		}
	}
}
