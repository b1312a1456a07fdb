package ota

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
)

// copyBufSize is the buffer parts stream through: verifying an 11 MB
// binary holds 32 KiB of it at a time.
const copyBufSize = 32 << 10

// streamParts reads the parts of m from r in order, checking each size
// and SHA-256, writing each to the writer sink gives for it (nil: only
// check), and then checks that r has nothing more.
func streamParts(r io.Reader, m *Manifest, sink func(Part) (io.Writer, error)) error {
	buf := make([]byte, copyBufSize)
	for _, p := range m.Parts {
		var w io.Writer
		if sink != nil {
			var err error
			if w, err = sink(p); err != nil {
				return fmt.Errorf("ota: %s for %s: %w", p.Name, p.Arch, err)
			}
		}
		h := sha256.New()
		dst := io.Writer(h)
		if w != nil {
			dst = io.MultiWriter(h, w)
		}
		n, err := io.CopyBuffer(dst, io.LimitReader(r, p.Size), buf)
		if err != nil {
			return fmt.Errorf("ota: %s for %s: %w", p.Name, p.Arch, err)
		}
		if n < p.Size {
			return fmt.Errorf("%w: %s for %s has %d of %d bytes", ErrTruncated, p.Name, p.Arch, n, p.Size)
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != p.SHA256 {
			return fmt.Errorf("%w: %s for %s has sha256 %s, manifest says %s", ErrHashMismatch, p.Name, p.Arch, got, p.SHA256)
		}
	}
	var one [1]byte
	n, err := io.ReadFull(r, one[:])
	if n > 0 {
		return fmt.Errorf("%w: bytes after the last part", ErrMalformed)
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("ota: reading after the last part: %w", err)
	}
	return nil
}
