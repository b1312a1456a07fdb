package rtmp

import (
	"crypto/rand"
	"fmt"
	"io"
)

// handshakeSize is the size of C1, S1, C2 and S2 (spec 5.2.3).
const handshakeSize = 1536

// rtmpVersion is C0/S0's version byte (spec 5.2.2).
const rtmpVersion = 3

// handshake runs the client side of the simple handshake (spec 5.2):
// C0+C1, then S0+S1+S2 read, then C2 echoing S1. C1's zero field at
// bytes 4-7 asks for the unsigned handshake, which nginx-rtmp accepts.
func handshake(rw io.ReadWriter) error {
	c := make([]byte, 1+handshakeSize)
	c[0] = rtmpVersion
	if _, err := rand.Read(c[9:]); err != nil {
		return err
	}
	if _, err := rw.Write(c); err != nil {
		return fmt.Errorf("rtmp: handshake: %w", err)
	}
	s := make([]byte, 1+2*handshakeSize)
	if _, err := io.ReadFull(rw, s); err != nil {
		return fmt.Errorf("rtmp: handshake: %w", err)
	}
	if s[0] != rtmpVersion {
		return fmt.Errorf("%w (S0 version %d)", ErrHandshake, s[0])
	}
	if _, err := rw.Write(s[1 : 1+handshakeSize]); err != nil {
		return fmt.Errorf("rtmp: handshake: %w", err)
	}
	return nil
}
