package auth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// skipWithoutUnixModes skips tests of file permission bits where the OS
// has none.
func skipWithoutUnixModes(t *testing.T) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("no Unix file modes on windows")
	}
}

func TestLoadOrCreateDeviceKey(t *testing.T) {
	skipWithoutUnixModes(t)
	dir := filepath.Join(t.TempDir(), "etc", "p2pcam")
	path := filepath.Join(dir, "device.key")

	key, created, err := LoadOrCreateDeviceKey(path)
	if err != nil || !created {
		t.Fatalf("first call: created=%v err=%v, want created", created, err)
	}
	if len(key) != 64 {
		t.Fatalf("key is %d bytes", len(key))
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("key file mode %04o, want 0600", got)
	}
	di, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := di.Mode().Perm(); got&0o077 != 0 {
		t.Errorf("key directory mode %04o, want 0700", got)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the key (temp file left?)", len(entries))
	}

	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PRIVATE KEY" {
		t.Fatalf("key file is not a PEM PRIVATE KEY:\n%s", data)
	}
	if _, err := x509.ParsePKCS8PrivateKey(block.Bytes); err != nil {
		t.Fatalf("key file is not PKCS#8: %v", err)
	}

	again, created, err := LoadOrCreateDeviceKey(path)
	if err != nil || created {
		t.Fatalf("second call: created=%v err=%v, want loaded", created, err)
	}
	if !key.Equal(again) {
		t.Fatal("reloaded key differs from the created one")
	}
}

func TestLoadOrCreateDeviceKeyRejectsOpenModes(t *testing.T) {
	skipWithoutUnixModes(t)
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o660, 0o620, 0o602} {
		path := filepath.Join(t.TempDir(), "device.key")
		if _, _, err := LoadOrCreateDeviceKey(path); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		before, _ := os.ReadFile(path)
		_, created, err := LoadOrCreateDeviceKey(path)
		if !errors.Is(err, ErrKeyPermissions) || created {
			t.Errorf("mode %04o: created=%v err=%v, want ErrKeyPermissions", mode, created, err)
			continue
		}
		if !strings.Contains(err.Error(), "chmod 600") {
			t.Errorf("mode %04o: error %q does not tell how to fix it", mode, err)
		}
		if after, _ := os.ReadFile(path); string(after) != string(before) {
			t.Errorf("mode %04o: key file was replaced", mode)
		}
	}
}

func TestLoadOrCreateDeviceKeyRejectsBadFiles(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, err := x509.MarshalPKCS8PrivateKey(ec)
	if err != nil {
		t.Fatal(err)
	}
	edDER, err := x509.MarshalPKCS8PrivateKey(trusted)
	if err != nil {
		t.Fatal(err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(pubOf(trusted))
	if err != nil {
		t.Fatal(err)
	}
	pemOf := func(typ string, der []byte) string {
		return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
	}
	good := pemOf("PRIVATE KEY", edDER)
	corrupt := append([]byte(nil), edDER...)
	corrupt[5] ^= 0xff
	tests := []struct {
		name string
		data string
	}{
		{"empty", ""},
		{"garbage", "not a key\n"},
		{"ECDSA key", pemOf("PRIVATE KEY", ecDER)},
		{"public key", pemOf("PUBLIC KEY", pubDER)},
		{"wrong PEM type", pemOf("EC PRIVATE KEY", edDER)},
		{"truncated PEM", good[:len(good)/2]},
		{"corrupted PEM body", strings.Replace(good, good[40:44], "!!!!", 1)},
		{"corrupted DER", pemOf("PRIVATE KEY", corrupt)},
		{"truncated DER", pemOf("PRIVATE KEY", edDER[:len(edDER)-1])},
		{"two blocks", good + good},
		{"raw DER", string(edDER)},
		{"encrypted header", strings.Replace(good, "-----\n", "-----\nProc-Type: 4,ENCRYPTED\n\n", 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "device.key")
			if err := os.WriteFile(path, []byte(tt.data), 0o600); err != nil {
				t.Fatal(err)
			}
			key, created, err := LoadOrCreateDeviceKey(path)
			if !errors.Is(err, ErrInvalidKey) || created || key != nil {
				t.Fatalf("created=%v err=%v, want ErrInvalidKey", created, err)
			}
			if after, _ := os.ReadFile(path); string(after) != tt.data {
				t.Fatal("bad key file was replaced")
			}
		})
	}
	t.Run("control", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "device.key")
		if err := os.WriteFile(path, []byte(good), 0o600); err != nil {
			t.Fatal(err)
		}
		key, created, err := LoadOrCreateDeviceKey(path)
		if err != nil || created || !key.Equal(trusted) {
			t.Fatalf("created=%v err=%v, want the stored key", created, err)
		}
	})
}

func TestLoadOrCreateDeviceKeyBadPaths(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
	}{
		{"path is a directory", dir},
		{"parent is a file", filepath.Join(file, "device.key")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, created, err := LoadOrCreateDeviceKey(tt.path); err == nil || created {
				t.Fatalf("created=%v err=%v, want an error", created, err)
			}
		})
	}
}
