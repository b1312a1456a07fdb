package ota

import "errors"

// Errors returned by this package. They are wrapped with detail; test with
// errors.Is.
var (
	// ErrMalformed means the bytes are not a well-formed bundle or
	// manifest: bad magic, framing, JSON, an unknown field, a bad name or
	// hash, or bytes after the last part.
	ErrMalformed = errors.New("ota: malformed bundle")
	// ErrTooLarge means a manifest, part or count is over its limit
	// (MaxManifestSize, MaxPartSize, MaxParts, MaxSignatures).
	ErrTooLarge = errors.New("ota: over a size limit")
	// ErrUnsupportedFormat means the bundle or manifest is of a format
	// version this build does not read; update the tool or the camera.
	ErrUnsupportedFormat = errors.New("ota: unsupported bundle format")
	// ErrBadVersion means a release version is not MAJOR.MINOR.PATCH.
	ErrBadVersion = errors.New("ota: bad version")
	// ErrDuplicatePart means the manifest lists the same part (name and
	// architecture) twice.
	ErrDuplicatePart = errors.New("ota: duplicate part")
	// ErrUnsigned means the bundle carries no signature; sign it with
	// p2pcam ota sign.
	ErrUnsigned = errors.New("ota: bundle is not signed")
	// ErrBadSignature means no signature on the bundle is by a trusted
	// release key and verifies.
	ErrBadSignature = errors.New("ota: no valid signature by a trusted release key")
	// ErrNoTrustedKey means Verify was given no release key to trust.
	ErrNoTrustedKey = errors.New("ota: no trusted release key configured")
	// ErrTruncated means the bundle ended before its last part did: a cut
	// download; fetch the rest.
	ErrTruncated = errors.New("ota: bundle is truncated")
	// ErrSizeMismatch means a part file changed size while being packed.
	ErrSizeMismatch = errors.New("ota: part size mismatch")
	// ErrHashMismatch means a part's SHA-256 is not the manifest's: the
	// bundle was corrupted or tampered with.
	ErrHashMismatch = errors.New("ota: part hash mismatch")
	// ErrWrongArch means the bundle has no p2pcamd for this architecture.
	ErrWrongArch = errors.New("ota: bundle has no part for this architecture")
	// ErrWrongProduct means the bundle is for another product or board.
	ErrWrongProduct = errors.New("ota: bundle is for another product or board")
	// ErrDowngrade means the bundle's version is not newer than the
	// running one (anti-rollback).
	ErrDowngrade = errors.New("ota: bundle is not newer than the running version")
	// ErrBelowFloor means the running version is below the bundle's
	// min_version: update to an intermediate release first.
	ErrBelowFloor = errors.New("ota: running version is below the bundle's minimum")
)
