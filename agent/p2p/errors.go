package p2p

import "errors"

// Reasons an offer is refused before a session starts. The viewer gets
// them as an error message with protocol.StatusTooMany (405); test with
// errors.Is.
var (
	// ErrOfferRate means the token's subject sent offers faster than
	// Config.OfferRate allows.
	ErrOfferRate = errors.New("p2p: too many offers from this viewer: wait a second and try again")
	// ErrSubjectSessions means the token's subject holds
	// Config.SessionsPerSubject sessions, all connected.
	ErrSubjectSessions = errors.New("p2p: this viewer holds too many sessions: close one first")
	// ErrFull means the camera holds Config.MaxSessions sessions, or
	// Config.MaxPending sessions still connecting, and none of them
	// belongs to a viewer that holds more than its share.
	ErrFull = errors.New("p2p: too many sessions")
	// ErrEvicted ends a session still connecting when its viewer's
	// subject started more than Config.PendingPerSubject, or when the
	// camera needed its place for another viewer.
	ErrEvicted = errors.New("p2p: session dropped before it connected: too many sessions connecting")
	// ErrHandshakeTimeout ends a session whose DTLS handshake did not
	// complete within Config.HandshakeTimeout.
	ErrHandshakeTimeout = errors.New("p2p: viewer never connected")
)
