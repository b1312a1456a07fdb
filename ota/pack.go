package ota

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
)

// PartFile is a part to pack, read from a file.
type PartFile struct {
	Name, Arch, Path string
}

// Release is what Pack writes a bundle of.
type Release struct {
	Product    string
	Boards     []string
	Version    string
	MinVersion string
	Parts      []PartFile
}

// Pack writes an unsigned bundle of rel to w. It reads each file twice,
// once to hash it and once to copy it, holding none of it whole; a file
// that changes in between fails with ErrSizeMismatch or ErrHashMismatch.
func Pack(w io.Writer, rel Release) error {
	m := Manifest{Format: ManifestFormat, Product: rel.Product, Boards: rel.Boards, Version: rel.Version, MinVersion: rel.MinVersion}
	for _, pf := range rel.Parts {
		size, sum, err := hashFile(pf.Path)
		if err != nil {
			return err
		}
		m.Parts = append(m.Parts, Part{Name: pf.Name, Arch: pf.Arch, Size: size, SHA256: sum})
	}
	raw, err := m.Marshal()
	if err != nil {
		return err
	}
	if _, err := (&Header{Raw: raw}).WriteTo(w); err != nil {
		return err
	}
	buf := make([]byte, copyBufSize)
	for i, pf := range rel.Parts {
		if err := copyPart(w, pf.Path, m.Parts[i], buf); err != nil {
			return err
		}
	}
	return nil
}

func hashFile(path string) (int64, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return 0, "", fmt.Errorf("ota: %s: %w", path, err)
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// copyPart copies the file at path to w, checking it is still p.
func copyPart(w io.Writer, path string, p Part, buf []byte) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.CopyBuffer(io.MultiWriter(w, h), io.LimitReader(f, p.Size+1), buf)
	if err != nil {
		return fmt.Errorf("ota: %s: %w", path, err)
	}
	if n != p.Size {
		return fmt.Errorf("%w: %s changed size while packing", ErrSizeMismatch, path)
	}
	if hex.EncodeToString(h.Sum(nil)) != p.SHA256 {
		return fmt.Errorf("%w: %s changed while packing", ErrHashMismatch, path)
	}
	return nil
}
