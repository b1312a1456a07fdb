package ota

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
)

// AnnounceFile reads the signed bundle at path and returns its
// announcement at url: product and versions from its manifest, the
// file's size and SHA-256. An unsigned bundle is refused (ErrUnsigned);
// the signature itself is the cameras' to check.
func AnnounceFile(path, url string) (*Announcement, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	br := bufio.NewReader(io.TeeReader(f, h))
	hdr, err := ReadHeader(br)
	if err != nil {
		return nil, err
	}
	if len(hdr.Signatures) == 0 {
		return nil, fmt.Errorf("%w: sign it first (p2pcam ota sign %s)", ErrUnsigned, path)
	}
	if _, err := io.Copy(io.Discard, br); err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	a := &Announcement{
		Product: hdr.Manifest.Product, Version: hdr.Manifest.Version, MinVersion: hdr.Manifest.MinVersion,
		URL: url, Size: fi.Size(), SHA256: hex.EncodeToString(h.Sum(nil)),
	}
	return a, a.Validate()
}
