package signal

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxMessageSize bounds a signalling message. An SDP offer with a few
// data channels and trickled candidates is well under 8 KiB.
const MaxMessageSize = 64 << 10

// Type says what a Message is.
type Type string

// Message types. A viewer sends offer, candidate and bye to the device's
// rpc topic; the device answers with answer, candidate, error and bye to
// the viewer's inbox, with the MQTT 5 correlation data of the offer.
const (
	TypeOffer     Type = "offer"
	TypeAnswer    Type = "answer"
	TypeCandidate Type = "candidate"
	TypeError     Type = "error"
	TypeBye       Type = "bye"
)

// Message is one signalling message, JSON on the wire.
type Message struct {
	Type Type `json:"type"`
	// Session identifies the viewer's peer connection: 16 to 64
	// characters, chosen by the viewer. It is also the MQTT correlation
	// data.
	Session string `json:"session"`
	// Token authorises the viewer (offer only); see package auth.
	Token string `json:"token,omitempty"`
	// SDP is the offer or answer.
	SDP string `json:"sdp,omitempty"`
	// Live (offer only, optional) is the ipc.track request the viewer
	// will send first, such as
	// "ipc.track?action=live&channel=0&quality=high": the device starts
	// it as soon as the connection is up, so that video flows while the
	// viewer's data channel opens, and the request, when it comes,
	// takes over that stream.
	Live string `json:"live,omitempty"`
	// Candidate is a trickled ICE candidate (candidate only); an empty
	// one marks the end of candidates.
	Candidate *Candidate `json:"candidate,omitempty"`
	// Signature is the device's Ed25519 signature of the answer (answer
	// only); see AnswerSigningBytes.
	Signature []byte `json:"sig,omitempty"`
	// Status and Error explain a refusal (error only). Status uses the
	// X-P2P codes where they fit, and 401 for a bad token.
	Status int    `json:"status,omitempty"`
	Error  string `json:"error,omitempty"`
}

// Candidate is an ICE candidate as WebRTC's RTCIceCandidateInit has it.
type Candidate struct {
	Candidate     string  `json:"candidate"`
	SDPMid        *string `json:"sdpMid,omitempty"`
	SDPMLineIndex *uint16 `json:"sdpMLineIndex,omitempty"`
}

// Encode returns the wire form of m.
func (m *Message) Encode() ([]byte, error) {
	if err := m.validate(); err != nil {
		return nil, err
	}
	return json.Marshal(m)
}

// Decode parses and validates a message from untrusted bytes.
func Decode(b []byte) (*Message, error) {
	if len(b) > MaxMessageSize {
		return nil, fmt.Errorf("%w: message of %d bytes (limit %d)", ErrMalformed, len(b), MaxMessageSize)
	}
	if !utf8.Valid(b) {
		return nil, fmt.Errorf("%w: message is not UTF-8", ErrMalformed)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var m Message
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: data after the message", ErrMalformed)
	}
	if err := m.validate(); err != nil {
		return nil, err
	}
	return &m, nil
}

func (m *Message) validate() error {
	if !validSession(m.Session) {
		return fmt.Errorf("%w: session id %q: want 16 to 64 letters, digits, '-' or '_'", ErrMalformed, m.Session)
	}
	switch m.Type {
	case TypeOffer:
		if m.SDP == "" || m.Token == "" {
			return fmt.Errorf("%w: offer without SDP or token", ErrMalformed)
		}
		if m.Live != "" && (len(m.Live) > maxLiveLine || !strings.HasPrefix(m.Live, "ipc.track?")) {
			return fmt.Errorf("%w: offer's live request %.80q: want an ipc.track request line of at most %d bytes", ErrMalformed, m.Live, maxLiveLine)
		}
	case TypeAnswer:
		if m.SDP == "" || len(m.Signature) == 0 {
			return fmt.Errorf("%w: answer without SDP or signature", ErrMalformed)
		}
	case TypeCandidate:
		if m.Candidate == nil {
			return fmt.Errorf("%w: candidate message without a candidate", ErrMalformed)
		}
	case TypeError:
		if m.Status == 0 {
			return fmt.Errorf("%w: error without a status", ErrMalformed)
		}
	case TypeBye:
	default:
		return fmt.Errorf("%w: unknown message type %q", ErrMalformed, m.Type)
	}
	if m.Type != TypeOffer && m.Live != "" {
		return fmt.Errorf("%w: a %s message with a live request (offers only)", ErrMalformed, m.Type)
	}
	return nil
}

// maxLiveLine bounds an offer's live request line.
const maxLiveLine = 256

func validSession(s string) bool {
	if len(s) < 16 || len(s) > 64 {
		return false
	}
	for _, c := range []byte(s) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_':
		default:
			return false
		}
	}
	return true
}

// AnswerSigningBytes is what a device signs for an answer (with
// auth.SignMessage, domain "answer"): the session, the offer and the
// answer SDP, which carries the device's DTLS fingerprint. A viewer that
// checks the signature against the device's key knows the broker did not
// put itself in the middle, and that the answer is for its own offer.
func AnswerSigningBytes(session, offerSDP, answerSDP string) []byte {
	b := make([]byte, 0, len(session)+len(offerSDP)+len(answerSDP)+16)
	b = appendField(b, session)
	b = appendField(b, offerSDP)
	return appendField(b, answerSDP)
}

// appendField appends s with its length, so that fields cannot run into
// each other.
func appendField(b []byte, s string) []byte {
	n := len(s)
	b = append(b, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	return append(b, s...)
}
