package ota

import (
	"crypto/ed25519"
	"fmt"
	"io"
	"slices"
)

// Config says what a camera accepts. Trusted and Current must be set;
// the rest may be empty.
type Config struct {
	// Trusted are the release public keys a bundle may be signed by; more
	// than one during a key rotation.
	Trusted []ed25519.PublicKey
	// Arch is this camera's architecture; a bundle must carry p2pcamd for
	// it. Empty skips the check (a tool looking at a bundle).
	Arch string
	// Current is the running version; the bundle must be newer and its
	// min_version must not be above it.
	Current string
	// Product and Board, if set, must match the manifest's product and
	// (when it lists boards) one of its boards.
	Product, Board string
	// Sink, if set, is called before each part is streamed and returns
	// where its bytes go (nil: check only). Bytes reach it before their
	// hash is known: install them only once Verify returns nil.
	Sink func(Part) (io.Writer, error)
}

// Verify reads a whole bundle from r and checks, in order: the header's
// format and limits, a signature by a trusted key, product and board,
// architecture, the version against Current and the floor, then each
// part's size and SHA-256 as it streams past, and that nothing follows.
// It returns the manifest when all pass.
func Verify(r io.Reader, cfg Config) (*Manifest, error) {
	cur, err := ParseVersion(cfg.Current)
	if err != nil {
		return nil, fmt.Errorf("current version: %w", err)
	}
	h, err := ReadHeader(r)
	if err != nil {
		return nil, err
	}
	if err := h.VerifySignature(cfg.Trusted); err != nil {
		return nil, err
	}
	m := h.Manifest
	if err := m.Check(cfg.Product, cfg.Board, cfg.Arch, cur); err != nil {
		return nil, err
	}
	if err := streamParts(r, m, cfg.Sink); err != nil {
		return nil, err
	}
	return m, nil
}

// Check reports whether a valid manifest suits a camera of product,
// board and arch (each empty: not checked) running version cur.
func (m *Manifest) Check(product, board, arch string, cur Version) error {
	if product != "" && m.Product != product {
		return fmt.Errorf("%w: bundle is for product %q, this is %q", ErrWrongProduct, m.Product, product)
	}
	if board != "" && len(m.Boards) > 0 && !slices.Contains(m.Boards, board) {
		return fmt.Errorf("%w: bundle is for boards %v, this is %q", ErrWrongProduct, m.Boards, board)
	}
	if arch != "" && m.Find(PartAgent, arch) == nil {
		return fmt.Errorf("%w: no %s for %s in the bundle (it has %v)", ErrWrongArch, PartAgent, arch, m.Arches())
	}
	return checkUpgrade("bundle", m.Version, m.MinVersion, cur)
}

// checkUpgrade says whether a camera running cur may move to version
// (valid, as is floor): nil, ErrDowngrade (not newer) or ErrBelowFloor.
func checkUpgrade(what, version, floor string, cur Version) error {
	v, _ := ParseVersion(version)
	f, _ := ParseVersion(floor)
	if v.Compare(cur) <= 0 {
		return fmt.Errorf("%w: %s %s, running %s", ErrDowngrade, what, v, cur)
	}
	if cur.Compare(f) < 0 {
		return fmt.Errorf("%w: running %s, %s %s needs at least %s", ErrBelowFloor, cur, what, v, f)
	}
	return nil
}

// Find returns the part name for arch, or nil.
func (m *Manifest) Find(name, arch string) *Part {
	for i := range m.Parts {
		if m.Parts[i].Name == name && m.Parts[i].Arch == arch {
			return &m.Parts[i]
		}
	}
	return nil
}

// Arches lists the architectures m carries p2pcamd for.
func (m *Manifest) Arches() []string {
	var a []string
	for _, p := range m.Parts {
		if p.Name == PartAgent {
			a = append(a, p.Arch)
		}
	}
	return a
}
