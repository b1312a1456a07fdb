package agent

import (
	"crypto/ed25519"
	"fmt"

	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/protocol"
)

// newVerifier returns the token verifier for cfg, or nil when the camera
// trusts no issuer (LAN mode serves anyone then).
func newVerifier(cfg Config) (*auth.Verifier, error) {
	if len(cfg.Auth.TrustedKeys) == 0 {
		return nil, nil
	}
	keys := make([]ed25519.PublicKey, 0, len(cfg.Auth.TrustedKeys))
	for _, k := range cfg.Auth.TrustedKeys {
		pub, err := auth.ParsePublicKey(k)
		if err != nil {
			return nil, err
		}
		keys = append(keys, pub)
	}
	return &auth.Verifier{Keys: keys, Device: cfg.Device, Clock: cfg.Clock.Now}, nil
}

// authenticate checks a viewer's token and returns who it is. With no
// trusted issuer configured, everyone is let in with every permission.
func (a *Agent) authenticate(addr, token string) (protocol.Viewer, error) {
	if a.verifier == nil {
		return protocol.Viewer{Addr: addr, Perms: auth.PermAll}, nil
	}
	claims, err := a.verifier.Verify(token, 0)
	if err != nil {
		return protocol.Viewer{}, fmt.Errorf("token refused: %w", err)
	}
	return protocol.Viewer{Addr: addr, Subject: claims.Subject, Perms: claims.Perms}, nil
}
