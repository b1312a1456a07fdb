package ota

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// magic opens every bundle; its last byte is the container format
// version.
var magic = [8]byte{'P', '2', 'P', 'O', 'T', 'A', 0, 1}

// MaxSignatures bounds the signatures on one bundle: a key rotation needs
// two (old and new release key); four leaves room for an overlap.
const MaxSignatures = 4

// signContext prefixes the manifest bytes in what is signed, so a release
// key's signature can never be replayed as any other kind of message.
const signContext = "p2pcam ota manifest v1\n"

// Signature is one detached Ed25519 signature over the manifest bytes.
type Signature struct {
	// Key is the public half of the release key that made it.
	Key ed25519.PublicKey
	// Sig is ed25519.Sign(key, signContext+manifest).
	Sig []byte
}

// Header is the part of a bundle before the part bytes.
type Header struct {
	// Raw is the manifest bytes exactly as stored and signed.
	Raw []byte
	// Manifest is Raw parsed.
	Manifest *Manifest
	// Signatures are in the order stored.
	Signatures []Signature
}

// signedMessage is what a release key signs for manifest bytes raw.
func signedMessage(raw []byte) []byte {
	return append([]byte(signContext), raw...)
}

// ReadHeader reads and strictly parses a bundle header from r, leaving r
// at the first part's bytes. It does not check signatures (see
// Header.VerifySignature).
func ReadHeader(r io.Reader) (*Header, error) {
	var pre [12]byte
	if _, err := io.ReadFull(r, pre[:]); err != nil {
		return nil, readErr("header", err)
	}
	if !bytes.Equal(pre[:6], magic[:6]) {
		return nil, fmt.Errorf("%w: not a p2pcam OTA bundle (bad magic)", ErrMalformed)
	}
	if pre[6] != magic[6] || pre[7] != magic[7] {
		return nil, fmt.Errorf("%w: container version %d; this build reads %d", ErrUnsupportedFormat, binary.BigEndian.Uint16(pre[6:8]), magic[7])
	}
	n := binary.BigEndian.Uint32(pre[8:12])
	if n > MaxManifestSize {
		return nil, fmt.Errorf("%w: manifest is %d bytes, over %d", ErrTooLarge, n, MaxManifestSize)
	}
	raw := make([]byte, n)
	if _, err := io.ReadFull(r, raw); err != nil {
		return nil, readErr("manifest", err)
	}
	m, err := ParseManifest(raw)
	if err != nil {
		return nil, err
	}
	var cnt [1]byte
	if _, err := io.ReadFull(r, cnt[:]); err != nil {
		return nil, readErr("signature count", err)
	}
	if cnt[0] > MaxSignatures {
		return nil, fmt.Errorf("%w: %d signatures, over %d", ErrTooLarge, cnt[0], MaxSignatures)
	}
	h := &Header{Raw: raw, Manifest: m}
	for i := 0; i < int(cnt[0]); i++ {
		var b [ed25519.PublicKeySize + ed25519.SignatureSize]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, readErr("signature", err)
		}
		h.Signatures = append(h.Signatures, Signature{Key: ed25519.PublicKey(b[:ed25519.PublicKeySize]), Sig: b[ed25519.PublicKeySize:]})
	}
	return h, nil
}

// WriteTo writes the header to w.
func (h *Header) WriteTo(w io.Writer) (int64, error) {
	if len(h.Raw) > MaxManifestSize {
		return 0, fmt.Errorf("%w: manifest is %d bytes, over %d", ErrTooLarge, len(h.Raw), MaxManifestSize)
	}
	if len(h.Signatures) > MaxSignatures {
		return 0, fmt.Errorf("%w: %d signatures, over %d", ErrTooLarge, len(h.Signatures), MaxSignatures)
	}
	for _, s := range h.Signatures {
		if len(s.Key) != ed25519.PublicKeySize || len(s.Sig) != ed25519.SignatureSize {
			return 0, fmt.Errorf("%w: signature of wrong length", ErrMalformed)
		}
	}
	b := appendHeader(nil, h.Raw, h.Signatures)
	n, err := w.Write(b)
	return int64(n), err
}

// appendHeader appends the encoding of a header to b, unchecked.
func appendHeader(b, raw []byte, sigs []Signature) []byte {
	b = append(b, magic[:]...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(raw)))
	b = append(b, raw...)
	b = append(b, byte(len(sigs)))
	for _, s := range sigs {
		b = append(b, s.Key...)
		b = append(b, s.Sig...)
	}
	return b
}

// AddSignature signs the manifest with key, replacing an earlier
// signature by the same key.
func (h *Header) AddSignature(key ed25519.PrivateKey) error {
	pub := key.Public().(ed25519.PublicKey)
	sig := Signature{Key: pub, Sig: ed25519.Sign(key, signedMessage(h.Raw))}
	for i, s := range h.Signatures {
		if s.Key.Equal(pub) {
			h.Signatures[i] = sig
			return nil
		}
	}
	if len(h.Signatures) >= MaxSignatures {
		return fmt.Errorf("%w: already %d signatures", ErrTooLarge, MaxSignatures)
	}
	h.Signatures = append(h.Signatures, sig)
	return nil
}

// VerifySignature reports whether a signature by one of trusted verifies
// over the manifest. Signatures by keys not in trusted are ignored, so a
// bundle signed by both the old and the new release key installs on
// cameras that trust either.
func (h *Header) VerifySignature(trusted []ed25519.PublicKey) error {
	if len(trusted) == 0 {
		return ErrNoTrustedKey
	}
	if len(h.Signatures) == 0 {
		return ErrUnsigned
	}
	msg := signedMessage(h.Raw)
	for _, s := range h.Signatures {
		for _, k := range trusted {
			if s.Key.Equal(k) && ed25519.Verify(k, msg, s.Sig) {
				return nil
			}
		}
	}
	return fmt.Errorf("%w (%d signatures, %d trusted keys)", ErrBadSignature, len(h.Signatures), len(trusted))
}

// readErr turns a short read into ErrTruncated.
func readErr(what string, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: in the %s", ErrTruncated, what)
	}
	return fmt.Errorf("ota: reading the %s: %w", what, err)
}
