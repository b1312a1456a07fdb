package auth

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"testing"
)

func TestSignMessage(t *testing.T) {
	msg := []byte(`{"fingerprint":"sha-256 AB:CD"}`)
	sig := SignMessage(trusted, "answer", msg)
	flipped := bytes.Clone(sig)
	flipped[0] ^= 1
	tests := []struct {
		name   string
		pub    ed25519.PublicKey
		domain string
		msg    []byte
		sig    []byte
		want   error
	}{
		{"valid", pubOf(trusted), "answer", msg, sig, nil},
		{"other domain", pubOf(trusted), "offer", msg, sig, ErrBadSignature},
		{"domain prefix", pubOf(trusted), "answe", msg, sig, ErrBadSignature},
		{"tampered message", pubOf(trusted), "answer", append(bytes.Clone(msg), ' '), sig, ErrBadSignature},
		{"empty message", pubOf(trusted), "answer", nil, sig, ErrBadSignature},
		{"tampered signature", pubOf(trusted), "answer", msg, flipped, ErrBadSignature},
		{"short signature", pubOf(trusted), "answer", msg, sig[:63], ErrBadSignature},
		{"no signature", pubOf(trusted), "answer", msg, nil, ErrBadSignature},
		{"other key", pubOf(other), "answer", msg, sig, ErrBadSignature},
		{"empty domain", pubOf(trusted), "", msg, sig, ErrBadSignature},
		{"NUL in domain", pubOf(trusted), "ans\x00wer", msg, sig, ErrBadSignature},
		{"short key", pubOf(trusted)[:31], "answer", msg, sig, ErrInvalidKey},
		{"nil key", nil, "answer", msg, sig, ErrInvalidKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifyMessage(tt.pub, tt.domain, tt.msg, tt.sig)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("VerifyMessage error = %v, want %v", err, tt.want)
			}
		})
	}
}

// TestSignMessageBytes pins the signed bytes so viewer SDKs can match them.
func TestSignMessageBytes(t *testing.T) {
	sig := SignMessage(trusted, "answer", []byte("hello"))
	if !ed25519.Verify(pubOf(trusted), []byte("p2pcam-sig-v1\x00answer\x00hello"), sig) {
		t.Fatal("signature is not over \"p2pcam-sig-v1\\x00answer\\x00hello\"")
	}
}

func TestSignMessagePanics(t *testing.T) {
	tests := []struct {
		name   string
		priv   ed25519.PrivateKey
		domain string
	}{
		{"empty domain", trusted, ""},
		{"NUL in domain", trusted, "a\x00b"},
		{"short key", trusted[:32], "answer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("SignMessage did not panic")
				}
			}()
			SignMessage(tt.priv, tt.domain, []byte("x"))
		})
	}
}
