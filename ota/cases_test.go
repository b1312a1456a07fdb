package ota

import (
	"bytes"
	"encoding/binary"
	"strings"
)

// bundleCase is one bundle and camera and what Verify must say.
type bundleCase struct {
	name string
	// manifest returns the raw manifest bytes (default: the good one).
	manifest func() []byte
	// bundle returns the bundle bytes for raw (default: signed by the
	// release key).
	bundle func(raw []byte) []byte
	// config adjusts the camera's Config.
	config  func(*Config)
	wantErr error
}

func (c bundleCase) raw() []byte {
	if c.manifest != nil {
		return c.manifest()
	}
	return rawManifest(goodManifest())
}

func (c bundleCase) bytes() []byte {
	if c.bundle != nil {
		return c.bundle(c.raw())
	}
	return buildBundle(c.raw(), releaseKey)
}

func (c bundleCase) cfg() Config {
	cfg := goodConfig()
	if c.config != nil {
		c.config(&cfg)
	}
	return cfg
}

// withManifest returns the good manifest changed by f, encoded.
func withManifest(f func(*Manifest)) func() []byte {
	return func() []byte {
		m := goodManifest()
		f(&m)
		return rawManifest(m)
	}
}

// partsOffset is where the parts start in a bundle signed once.
func partsOffset(raw []byte) int { return 12 + len(raw) + 1 + 96 }

// bundleCases feeds TestVerify, FuzzBundle and FuzzManifest.
var bundleCases = []bundleCase{
	{name: "good"},
	{name: "no boards means any board", manifest: withManifest(func(m *Manifest) { m.Boards = nil }), config: func(c *Config) { c.Board = "other" }},
	{name: "signed by old and new key", bundle: func(raw []byte) []byte { return buildBundle(raw, otherKey, releaseKey) }},
	{name: "at the floor", config: func(c *Config) { c.Current = "1.0.0" }},
	{name: "rootfs-only arch still needs p2pcamd", config: func(c *Config) { c.Arch = "mips" }, wantErr: ErrWrongArch},
	{name: "wrong key", bundle: func(raw []byte) []byte { return buildBundle(raw, otherKey) }, wantErr: ErrBadSignature},
	{name: "unsigned", bundle: func(raw []byte) []byte { return buildBundle(raw) }, wantErr: ErrUnsigned},
	{name: "no trusted key", config: func(c *Config) { c.Trusted = nil }, wantErr: ErrNoTrustedKey},
	{name: "signature by trusted key over other bytes", bundle: func(raw []byte) []byte {
		b := buildBundle(raw, releaseKey)
		b[12+len(raw)+1+40] ^= 1 // a byte of the signature
		return b
	}, wantErr: ErrBadSignature},
	{name: "tampered manifest", bundle: func(raw []byte) []byte {
		b := buildBundle(raw, releaseKey)
		i := bytes.Index(b, []byte(`"1.2.0"`))
		copy(b[i:], `"1.9.0"`)
		return b
	}, wantErr: ErrBadSignature},
	{name: "tampered part", bundle: func(raw []byte) []byte {
		b := buildBundle(raw, releaseKey)
		b[partsOffset(raw)+len(testParts[0].data)+10] ^= 0x20
		return b
	}, wantErr: ErrHashMismatch},
	{name: "truncated part", bundle: func(raw []byte) []byte { b := buildBundle(raw, releaseKey); return b[:len(b)-7] }, wantErr: ErrTruncated},
	{name: "truncated in manifest", bundle: func(raw []byte) []byte { return buildBundle(raw, releaseKey)[:40] }, wantErr: ErrTruncated},
	{name: "truncated in signature", bundle: func(raw []byte) []byte { return buildBundle(raw, releaseKey)[:12+len(raw)+30] }, wantErr: ErrTruncated},
	{name: "empty", bundle: func([]byte) []byte { return nil }, wantErr: ErrTruncated},
	{name: "trailing bytes", bundle: func(raw []byte) []byte { return append(buildBundle(raw, releaseKey), 0) }, wantErr: ErrMalformed},
	{name: "bad magic", bundle: func(raw []byte) []byte { b := buildBundle(raw, releaseKey); b[0] = 'X'; return b }, wantErr: ErrMalformed},
	{name: "future container", bundle: func(raw []byte) []byte { b := buildBundle(raw, releaseKey); b[7] = 2; return b }, wantErr: ErrUnsupportedFormat},
	{name: "oversized manifest length", bundle: func(raw []byte) []byte {
		b := buildBundle(raw, releaseKey)
		binary.BigEndian.PutUint32(b[8:], MaxManifestSize+1)
		return b
	}, wantErr: ErrTooLarge},
	{name: "oversized manifest", manifest: withManifest(func(m *Manifest) { m.Boards = []string{strings.Repeat("b", MaxManifestSize)} }), wantErr: ErrTooLarge},
	{name: "too many signatures", bundle: func(raw []byte) []byte {
		b := buildBundle(raw, releaseKey)
		b[12+len(raw)] = MaxSignatures + 1
		return b
	}, wantErr: ErrTooLarge},
	{name: "unknown field", manifest: func() []byte {
		return bytes.Replace(rawManifest(goodManifest()), []byte(`{"format":1,`), []byte(`{"format":1,"install_script":"rm -rf /",`), 1)
	}, wantErr: ErrMalformed},
	{name: "two JSON objects", manifest: func() []byte { return append(rawManifest(goodManifest()), "{}"...) }, wantErr: ErrMalformed},
	{name: "not JSON", manifest: func() []byte { return []byte("version=1.2.0") }, wantErr: ErrMalformed},
	{name: "future manifest format", manifest: withManifest(func(m *Manifest) { m.Format = 2 }), wantErr: ErrUnsupportedFormat},
	{name: "duplicate part", manifest: withManifest(func(m *Manifest) { m.Parts[1] = m.Parts[0] }), wantErr: ErrDuplicatePart},
	{name: "too many parts", manifest: withManifest(func(m *Manifest) {
		for len(m.Parts) <= MaxParts {
			m.Parts = append(m.Parts, m.Parts[0])
		}
	}), wantErr: ErrTooLarge},
	{name: "no parts", manifest: withManifest(func(m *Manifest) { m.Parts = nil }), wantErr: ErrMalformed},
	{name: "unknown part name", manifest: withManifest(func(m *Manifest) { m.Parts[2].Name = "script" }), wantErr: ErrMalformed},
	{name: "negative size", manifest: withManifest(func(m *Manifest) { m.Parts[0].Size = -1 }), wantErr: ErrMalformed},
	{name: "part too large", manifest: withManifest(func(m *Manifest) { m.Parts[0].Size = MaxPartSize + 1 }), wantErr: ErrTooLarge},
	{name: "upper-case hash", manifest: withManifest(func(m *Manifest) { m.Parts[0].SHA256 = strings.ToUpper(m.Parts[0].SHA256) }), wantErr: ErrMalformed},
	{name: "path in arch", manifest: withManifest(func(m *Manifest) { m.Parts[0].Arch = "../armv7" }), wantErr: ErrMalformed},
	{name: "bad version", manifest: withManifest(func(m *Manifest) { m.Version = "1.2" }), wantErr: ErrBadVersion},
	{name: "leading zero version", manifest: withManifest(func(m *Manifest) { m.MinVersion = "1.01.0" }), wantErr: ErrBadVersion},
	{name: "floor above version", manifest: withManifest(func(m *Manifest) { m.MinVersion = "1.3.0" }), wantErr: ErrMalformed},
	{name: "wrong architecture", config: func(c *Config) { c.Arch = "mipsle" }, wantErr: ErrWrongArch},
	{name: "wrong product", config: func(c *Config) { c.Product = "other" }, wantErr: ErrWrongProduct},
	{name: "wrong board", config: func(c *Config) { c.Board = "rpi5" }, wantErr: ErrWrongProduct},
	{name: "downgrade", config: func(c *Config) { c.Current = "2.0.0" }, wantErr: ErrDowngrade},
	{name: "same version", config: func(c *Config) { c.Current = "1.2.0" }, wantErr: ErrDowngrade},
	{name: "below floor", config: func(c *Config) { c.Current = "0.9.9" }, wantErr: ErrBelowFloor},
	{name: "bad current version", config: func(c *Config) { c.Current = "dev" }, wantErr: ErrBadVersion},
}
