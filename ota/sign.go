package ota

import (
	"crypto/ed25519"
	"io"
)

// Sign copies the bundle in src to dst with a signature by key added
// (replacing an earlier one by the same key). It checks every part's size
// and hash on the way, so a corrupt bundle is never signed; dst then
// holds a partial copy, which the caller discards.
func Sign(dst io.Writer, src io.Reader, key ed25519.PrivateKey) (*Manifest, error) {
	h, err := ReadHeader(src)
	if err != nil {
		return nil, err
	}
	if err := h.AddSignature(key); err != nil {
		return nil, err
	}
	if _, err := h.WriteTo(dst); err != nil {
		return nil, err
	}
	if err := streamParts(src, h.Manifest, func(Part) (io.Writer, error) { return dst, nil }); err != nil {
		return nil, err
	}
	return h.Manifest, nil
}
