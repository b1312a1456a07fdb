package auth

import (
	"crypto/ed25519"
	"fmt"
	"strings"
)

// sigContext starts every message signed by SignMessage.
const sigContext = "p2pcam-sig-v1\x00"

// SignMessage returns a detached Ed25519 signature over
//
//	"p2pcam-sig-v1\x00" + domain + "\x00" + msg
//
// The domain (such as "answer") keeps a signature made for one kind of
// message from being accepted as another. It panics if priv is not
// ed25519.PrivateKeySize bytes or domain is empty or contains a NUL byte:
// both are programming errors.
func SignMessage(priv ed25519.PrivateKey, domain string, msg []byte) []byte {
	if err := checkDomain(domain); err != nil {
		panic(err)
	}
	if len(priv) != ed25519.PrivateKeySize {
		panic(fmt.Sprintf("auth: SignMessage: private key is %d bytes, want %d", len(priv), ed25519.PrivateKeySize))
	}
	return ed25519.Sign(priv, signedBytes(domain, msg))
}

// VerifyMessage checks a SignMessage signature. A signature that does not
// verify, or a domain SignMessage would refuse, is ErrBadSignature; a
// public key of the wrong size is ErrInvalidKey.
func VerifyMessage(pub ed25519.PublicKey, domain string, msg, sig []byte) error {
	if len(pub) != ed25519.PublicKeySize {
		return fmt.Errorf("%w: public key is %d bytes, want %d", ErrInvalidKey, len(pub), ed25519.PublicKeySize)
	}
	if err := checkDomain(domain); err != nil {
		return fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	if !ed25519.Verify(pub, signedBytes(domain, msg), sig) {
		return fmt.Errorf("%w: %q message signature does not verify", ErrBadSignature, domain)
	}
	return nil
}

// checkDomain rejects domains that would make signed bytes ambiguous.
func checkDomain(domain string) error {
	if domain == "" || strings.IndexByte(domain, 0) >= 0 {
		return fmt.Errorf("auth: signature domain %q is empty or contains NUL", domain)
	}
	return nil
}

// signedBytes builds the bytes SignMessage signs.
func signedBytes(domain string, msg []byte) []byte {
	b := make([]byte, 0, len(sigContext)+len(domain)+1+len(msg))
	b = append(b, sigContext...)
	b = append(b, domain...)
	b = append(b, 0)
	return append(b, msg...)
}
