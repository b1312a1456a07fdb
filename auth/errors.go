package auth

import "errors"

// Errors returned by this package. They are wrapped with detail; test with
// errors.Is.
var (
	// ErrNoToken means the request carried no token at all.
	ErrNoToken = errors.New("auth: no token")
	// ErrMalformed means the token is not a well-formed p2pcam1 token:
	// bad structure, base64 or JSON, an unknown version, over MaxTokenLen
	// bytes, or claims that Sign would never produce.
	ErrMalformed = errors.New("auth: malformed token")
	// ErrBadSignature means a signature did not verify, or the token names
	// a key (kid) this camera does not trust.
	ErrBadSignature = errors.New("auth: bad signature")
	// ErrExpired means the token's expiry has passed, leeway included.
	ErrExpired = errors.New("auth: token expired")
	// ErrNotYetValid means the token's not-before time is still ahead,
	// leeway included.
	ErrNotYetValid = errors.New("auth: token not yet valid")
	// ErrWrongDevice means the token was issued for another device.
	ErrWrongDevice = errors.New("auth: token is for another device")
	// ErrForbidden means the token is valid but lacks a needed permission.
	ErrForbidden = errors.New("auth: permission denied")
	// ErrInvalidClaims means Sign was given claims it refuses to sign.
	ErrInvalidClaims = errors.New("auth: invalid claims")
	// ErrUnknownPermission means a permission name is not one of live,
	// playback, voice, command, download, update.
	ErrUnknownPermission = errors.New("auth: unknown permission")
	// ErrInvalidKey means a key is not a usable Ed25519 key: wrong size,
	// wrong algorithm, or an unreadable PEM, PKCS#8, PKIX or base64 form.
	ErrInvalidKey = errors.New("auth: invalid key")
	// ErrKeyPermissions means a private key file is accessible by group
	// or others; fix it with chmod 600.
	ErrKeyPermissions = errors.New("auth: key file is accessible by group or others")
)
