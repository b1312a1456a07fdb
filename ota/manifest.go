package ota

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
)

// Limits on a manifest, which a camera reads from untrusted bytes before
// it has checked any signature.
const (
	// ManifestFormat is the manifest format version this build writes and
	// reads.
	ManifestFormat = 1
	// MaxManifestSize bounds the manifest bytes: a real one with a dozen
	// parts is under 2 KiB; 64 KiB is ample and still cheap to hold on a
	// 64 MB camera.
	MaxManifestSize = 64 << 10
	// MaxParts bounds the parts in one bundle: a binary and a rootfs
	// image for each of a handful of architectures.
	MaxParts = 32
	// MaxBoards bounds the board list; a release names a few boards.
	MaxBoards = 32
	// MaxPartSize bounds one part: a rootfs image for camera flash is tens
	// of megabytes; 1 GiB leaves room and keeps sizes far from overflow.
	MaxPartSize = 1 << 30
	// maxNameLen bounds names (product, board, part, arch): short
	// identifiers, never text.
	maxNameLen = 64
)

// Part names a bundle may carry.
const (
	// PartAgent is the p2pcamd binary for one architecture.
	PartAgent = "p2pcamd"
	// PartRootfs is a root filesystem image for one architecture.
	PartRootfs = "rootfs"
)

// Manifest describes a bundle. Its bytes, exactly as stored, are what the
// release key signs.
type Manifest struct {
	// Format is ManifestFormat.
	Format int `json:"format"`
	// Product is the product the release is for (the PRODUCT of device
	// ids PRODUCT/DEVICE).
	Product string `json:"product"`
	// Boards, if any, are the boards the release is for; none means any
	// board of the product.
	Boards []string `json:"boards,omitempty"`
	// Version is this release, MAJOR.MINOR.PATCH.
	Version string `json:"version"`
	// MinVersion is the oldest running version that may install this
	// release (the anti-rollback floor).
	MinVersion string `json:"min_version"`
	// Parts are in the order their bytes follow the header.
	Parts []Part `json:"parts"`
}

// Part is one file in a bundle.
type Part struct {
	// Name is PartAgent or PartRootfs.
	Name string `json:"name"`
	// Arch is the architecture it is for: amd64, arm64, armv6, armv7,
	// mips, mipsle (GOARCH with the ARM level spelled out).
	Arch string `json:"arch"`
	// Size is its length in bytes.
	Size int64 `json:"size"`
	// SHA256 is the lower-case hex SHA-256 of its bytes.
	SHA256 string `json:"sha256"`
}

// ParseManifest parses and checks manifest bytes strictly: at most
// MaxManifestSize, one JSON object with no unknown fields and nothing
// after it, a known format, valid versions with MinVersion <= Version,
// well-formed names, sizes and hashes, and no part twice.
func ParseManifest(b []byte) (*Manifest, error) {
	if len(b) > MaxManifestSize {
		return nil, fmt.Errorf("%w: manifest is %d bytes, over %d", ErrTooLarge, len(b), MaxManifestSize)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%w: manifest: %v", ErrMalformed, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: manifest: data after the JSON object", ErrMalformed)
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return &m, nil
}

// Marshal validates m and encodes it as the bytes to store and sign.
func (m *Manifest) Marshal() ([]byte, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if len(b) > MaxManifestSize {
		return nil, fmt.Errorf("%w: manifest is %d bytes, over %d", ErrTooLarge, len(b), MaxManifestSize)
	}
	return b, nil
}

// Validate checks the fields of m as ParseManifest does.
func (m *Manifest) Validate() error {
	if m.Format != ManifestFormat {
		return fmt.Errorf("%w: manifest format %d; this build reads %d", ErrUnsupportedFormat, m.Format, ManifestFormat)
	}
	if err := checkName("product", m.Product); err != nil {
		return err
	}
	if len(m.Boards) > MaxBoards {
		return fmt.Errorf("%w: %d boards, over %d", ErrTooLarge, len(m.Boards), MaxBoards)
	}
	for _, b := range m.Boards {
		if err := checkName("board", b); err != nil {
			return err
		}
	}
	v, err := ParseVersion(m.Version)
	if err != nil {
		return fmt.Errorf("manifest version: %w", err)
	}
	floor, err := ParseVersion(m.MinVersion)
	if err != nil {
		return fmt.Errorf("manifest min_version: %w", err)
	}
	if floor.Compare(v) > 0 {
		return fmt.Errorf("%w: min_version %s is above version %s", ErrMalformed, floor, v)
	}
	if len(m.Parts) == 0 {
		return fmt.Errorf("%w: manifest lists no parts", ErrMalformed)
	}
	if len(m.Parts) > MaxParts {
		return fmt.Errorf("%w: %d parts, over %d", ErrTooLarge, len(m.Parts), MaxParts)
	}
	seen := make(map[[2]string]bool, len(m.Parts))
	for i, p := range m.Parts {
		if err := p.validate(); err != nil {
			return fmt.Errorf("part %d: %w", i, err)
		}
		k := [2]string{p.Name, p.Arch}
		if seen[k] {
			return fmt.Errorf("%w: %s for %s is listed twice", ErrDuplicatePart, p.Name, p.Arch)
		}
		seen[k] = true
	}
	return nil
}

func (p Part) validate() error {
	if p.Name != PartAgent && p.Name != PartRootfs {
		return fmt.Errorf("%w: part name %q: want %q or %q", ErrMalformed, p.Name, PartAgent, PartRootfs)
	}
	if err := checkName("arch", p.Arch); err != nil {
		return err
	}
	if p.Size < 0 {
		return fmt.Errorf("%w: %s size %d is negative", ErrMalformed, p.Name, p.Size)
	}
	if p.Size > MaxPartSize {
		return fmt.Errorf("%w: %s is %d bytes, over %d", ErrTooLarge, p.Name, p.Size, MaxPartSize)
	}
	if !ValidSHA256(p.SHA256) {
		return fmt.Errorf("%w: %s sha256 %q: want 64 lower-case hex digits", ErrMalformed, p.Name, p.SHA256)
	}
	return nil
}

// checkName accepts a short identifier of [a-z0-9._-] that starts with a
// letter or digit.
func checkName(field, s string) error {
	if s == "" || len(s) > maxNameLen {
		return fmt.Errorf("%w: %s %q: want 1 to %d characters", ErrMalformed, field, s, maxNameLen)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || i > 0 && (c == '.' || c == '_' || c == '-')
		if !ok {
			return fmt.Errorf("%w: %s %q: want lower-case letters, digits, '.', '_' or '-'", ErrMalformed, field, s)
		}
	}
	return nil
}

// ValidSHA256 reports whether s is a SHA-256 as bundles write it: 64
// lower-case hex digits.
func ValidSHA256(s string) bool {
	h, err := hex.DecodeString(s)
	return err == nil && len(h) == sha256.Size && hex.EncodeToString(h) == s
}
