package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/p2pcam/p2pcam/ota"
)

// ota keygen → pack → sign → verify, through the CLI, with the release
// key in the per-user config directory; then a camera that must refuse
// the bundle does, with the package's sentinel.
func TestOTAPackSignVerify(t *testing.T) {
	cfgHome := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfgHome)
	t.Setenv("HOME", cfgHome)
	dir := t.TempDir()
	ctx := context.Background()
	exec := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := run(ctx, args, &out, &errOut)
		if err != nil {
			t.Logf("%v: %v\n%s", args, err, errOut.String())
		}
		return strings.TrimSpace(out.String()), err
	}
	pub, err := exec("ota", "keygen")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(cfgHome, "p2pcam", "release.key")); err != nil {
		t.Fatalf("release key not in the config dir: %v", err)
	}
	other, err := exec("ota", "keygen", "--out", filepath.Join(dir, "other.key"))
	if err != nil {
		t.Fatal(err)
	}
	for arch, data := range map[string]string{"armv7": "armv7 binary", "arm64": "arm64 binary", "rootfs": "an ext4 image"} {
		if err := os.WriteFile(filepath.Join(dir, arch), []byte(strings.Repeat(data, 1000)), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	bundle := filepath.Join(dir, "acme-1.2.0.p2pota")
	if _, err := exec("ota", "pack", "--product", "acme", "--version", "1.2.0", "--min-version", "1.0.0",
		"--arch", "armv7="+filepath.Join(dir, "armv7"), "--arch", "arm64="+filepath.Join(dir, "arm64"),
		"--rootfs", "armv7="+filepath.Join(dir, "rootfs"), "-o", bundle); err != nil {
		t.Fatal(err)
	}
	verify := func(pubKey, arch, current string) error {
		_, err := exec("ota", "verify", "--pub", pubKey, "--arch", arch, "--current", current, "--product", "acme", bundle)
		return err
	}
	if err := verify(pub, "armv7", "1.1.0"); !errors.Is(err, ota.ErrUnsigned) {
		t.Fatalf("unsigned: err = %v, want ErrUnsigned", err)
	}
	if _, err := exec("ota", "sign", bundle); err != nil {
		t.Fatal(err)
	}
	if out, err := exec("ota", "verify", "--pub", pub, "--arch", "arm64", "--current", "1.0.0", bundle); err != nil || !strings.HasPrefix(out, "ok: acme 1.2.0") {
		t.Fatalf("verify: %q, %v", out, err)
	}
	// The public key may also be given as a file.
	pubFile := filepath.Join(dir, "release.pub")
	if err := os.WriteFile(pubFile, []byte(pub+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := verify(pubFile, "armv7", "1.1.0"); err != nil {
		t.Fatalf("pub from file: %v", err)
	}
	tests := []struct {
		name, pub, arch, current string
		wantErr                  error
	}{
		{"wrong key", other, "armv7", "1.1.0", ota.ErrBadSignature},
		{"wrong architecture", pub, "mipsle", "1.1.0", ota.ErrWrongArch},
		{"downgrade", pub, "armv7", "1.3.0", ota.ErrDowngrade},
		{"below floor", pub, "armv7", "0.9.0", ota.ErrBelowFloor},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := verify(tt.pub, tt.arch, tt.current); !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
		})
	}
	// Rotation: signed by the new key too, the bundle verifies with
	// either; a tampered copy verifies with neither.
	if _, err := exec("ota", "sign", "--key", filepath.Join(dir, "other.key"), bundle); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{pub, other} {
		if err := verify(k, "armv7", "1.1.0"); err != nil {
			t.Errorf("after rotation signing: %v", err)
		}
	}
	b, err := os.ReadFile(bundle)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)-5] ^= 1
	if err := os.WriteFile(bundle, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := verify(pub, "armv7", "1.1.0"); !errors.Is(err, ota.ErrHashMismatch) {
		t.Fatalf("tampered: err = %v, want ErrHashMismatch", err)
	}
	// Signing a tampered bundle fails and leaves it as it was.
	if _, err := exec("ota", "sign", bundle); !errors.Is(err, ota.ErrHashMismatch) {
		t.Fatalf("sign tampered: err = %v, want ErrHashMismatch", err)
	}
	if after, _ := os.ReadFile(bundle); !bytes.Equal(after, b) {
		t.Errorf("a failed sign changed the bundle")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 6 { // other.key, three parts, the bundle, release.pub
		t.Errorf("temporary files left: %d entries in %s", len(ents), dir)
	}
}

// ota commands refuse incomplete command lines with a message.
func TestOTAMistakes(t *testing.T) {
	tests := []struct {
		args    []string
		wantErr string
	}{
		{[]string{"ota"}, "want a subcommand"},
		{[]string{"ota", "unpack"}, "unknown subcommand"},
		{[]string{"ota", "pack", "--version", "1.0.0", "--product", "acme", "-o", "x"}, "--min-version"},
		{[]string{"ota", "pack", "--version", "1.0.0", "--min-version", "1.0.0", "--product", "acme", "-o", "x"}, "--arch"},
		{[]string{"ota", "pack", "--version", "1.0.0", "--min-version", "1.0.0", "--product", "acme", "--arch", "armv7", "-o", "x"}, "want ARCH=FILE"},
		{[]string{"ota", "sign"}, "want one BUNDLE"},
		{[]string{"ota", "verify", "b"}, "--pub, --arch and --current"},
		{[]string{"ota", "verify", "--pub", "nonsense", "--arch", "armv7", "--current", "1.0.0", "b"}, "--pub"},
	}
	for _, tt := range tests {
		err := run(context.Background(), tt.args, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%v: err = %v, want %q", tt.args, err, tt.wantErr)
		}
	}
}
