package ota

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// testRelease writes the test parts to files and returns a release of
// them.
func testRelease(t *testing.T) Release {
	t.Helper()
	dir := t.TempDir()
	m := goodManifest()
	rel := Release{Product: m.Product, Boards: m.Boards, Version: m.Version, MinVersion: m.MinVersion}
	for _, p := range testParts {
		path := filepath.Join(dir, p.name+"-"+p.arch)
		if err := os.WriteFile(path, []byte(p.data), 0o644); err != nil {
			t.Fatal(err)
		}
		rel.Parts = append(rel.Parts, PartFile{Name: p.name, Arch: p.arch, Path: path})
	}
	return rel
}

// Pack then Sign makes a bundle Verify accepts; signing again with a
// second key (a rotation) keeps the first signature.
func TestPackSignVerify(t *testing.T) {
	var packed bytes.Buffer
	if err := Pack(&packed, testRelease(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(bytes.NewReader(packed.Bytes()), goodConfig()); !errors.Is(err, ErrUnsigned) {
		t.Fatalf("unsigned bundle: err = %v, want ErrUnsigned", err)
	}
	var signed, both bytes.Buffer
	if _, err := Sign(&signed, bytes.NewReader(packed.Bytes()), releaseKey); err != nil {
		t.Fatal(err)
	}
	if _, err := Sign(&both, bytes.NewReader(signed.Bytes()), otherKey); err != nil {
		t.Fatal(err)
	}
	for _, trusted := range [][]ed25519.PublicKey{
		{releasePub},
		{otherKey.Public().(ed25519.PublicKey)},
		{otherKey.Public().(ed25519.PublicKey), releasePub},
	} {
		cfg := goodConfig()
		cfg.Trusted = trusted
		if _, err := Verify(bytes.NewReader(both.Bytes()), cfg); err != nil {
			t.Errorf("trusting %d keys: %v", len(trusted), err)
		}
	}
	// Signing again with the same key replaces its signature.
	var again bytes.Buffer
	if _, err := Sign(&again, bytes.NewReader(both.Bytes()), releaseKey); err != nil {
		t.Fatal(err)
	}
	if again.Len() != both.Len() {
		t.Errorf("re-signing grew the bundle from %d to %d bytes", both.Len(), again.Len())
	}
}

// Pack refuses a release it could not verify, and Sign a corrupt bundle.
func TestPackSignRefuse(t *testing.T) {
	tests := []struct {
		name    string
		change  func(*Release)
		wantErr error
	}{
		{"duplicate part", func(r *Release) { r.Parts = append(r.Parts, r.Parts[0]) }, ErrDuplicatePart},
		{"bad version", func(r *Release) { r.Version = "1.2.0-rc1" }, ErrBadVersion},
		{"missing file", func(r *Release) { r.Parts[0].Path += ".missing" }, os.ErrNotExist},
		{"bad arch", func(r *Release) { r.Parts[0].Arch = "ARM" }, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rel := testRelease(t)
			tt.change(&rel)
			if err := Pack(&bytes.Buffer{}, rel); !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
		})
	}
	for _, tt := range bundleCases {
		if !errors.Is(tt.wantErr, ErrHashMismatch) && !errors.Is(tt.wantErr, ErrTruncated) {
			continue
		}
		t.Run("sign "+tt.name, func(t *testing.T) {
			if _, err := Sign(&bytes.Buffer{}, bytes.NewReader(tt.bytes()), releaseKey); !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
		})
	}
}
