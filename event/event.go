// Package event carries what happens at the camera to its viewers: an
// Event (a doorbell press, motion, a card gone, a stream stopped, a PTZ
// move) is published on a Bus, which fans it out to subscribers (the P2P
// and LAN event streams, the MQTT event topic) without ever blocking the
// publisher: a subscriber that falls behind loses events, counted.
package event

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
	"unicode/utf8"
)

// Limits on an event, which may come from a viewer (trigger_event) or
// the network (an SDK decoding the stream).
const (
	// MaxSize bounds one encoded event: events are small notices, and
	// a viewer must not make the camera push megabytes to every other.
	MaxSize = 4096
	// MaxTypeLen bounds the type name.
	MaxTypeLen = 32
	// MaxChannel is the largest channel number (an NVR's sub-camera).
	MaxChannel = 255
)

// The types the camera itself publishes. A maker's trigger_event may use
// any other valid name.
const (
	TypeMotion  = "motion"  // the motion detector saw movement
	TypeInput   = "input"   // a GPIO input (doorbell, PIR) changed
	TypeStorage = "storage" // the record storage failed, filled or came back
	TypeStream  = "stream"  // a stream's source started or stopped
	TypePTZ     = "ptz"     // the pan-tilt head started or stopped moving
	TypeTrigger = "trigger" // a viewer's trigger_event without a type
)

// Event is one notice. Its JSON form (one line on an event stream, one
// MQTT message) is
//
//	{"type":"input","time":"2026-12-06T10:00:00.123Z","channel":0,"data":{"name":"doorbell","active":true}}
type Event struct {
	// Type names what happened: one of the Type constants, or a
	// maker's own name (1-32 of a-z, 0-9, '_', '-', '.').
	Type string `json:"type"`
	// Time is when it happened, at the camera.
	Time time.Time `json:"time"`
	// Channel is the camera's channel, 0 for a single camera.
	Channel int `json:"channel"`
	// Data is a JSON object with the details of the type; nil for none.
	Data json.RawMessage `json:"data,omitempty"`
}

// New returns an event of type typ at t whose data is v encoded as
// JSON (v must encode to an object, or be nil).
func New(typ string, t time.Time, v any) Event {
	e := Event{Type: typ, Time: t}
	if v != nil {
		b, err := json.Marshal(v)
		if err == nil {
			e.Data = b
		}
	}
	return e
}

// Validate checks e against the limits: a valid type, a channel in
// range, data that is a JSON object (or none), MaxSize encoded.
func (e Event) Validate() error {
	if !ValidType(e.Type) {
		return fmt.Errorf("%w: type %q: want 1-%d of a-z, 0-9, '_', '-', '.'", ErrInvalid, clip(e.Type), MaxTypeLen)
	}
	if e.Channel < 0 || e.Channel > MaxChannel {
		return fmt.Errorf("%w: channel %d: want 0-%d", ErrInvalid, e.Channel, MaxChannel)
	}
	if len(e.Data) > 0 {
		d := bytes.TrimSpace(e.Data)
		if len(d) == 0 || d[0] != '{' || !json.Valid(d) {
			return fmt.Errorf("%w: data must be a JSON object", ErrInvalid)
		}
	}
	return nil
}

// Marshal encodes e as one line of JSON, without the newline.
func (e Event) Marshal() ([]byte, error) {
	if err := e.Validate(); err != nil {
		return nil, err
	}
	b, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if len(b) > MaxSize {
		return nil, fmt.Errorf("%w: %d bytes encoded, more than %d", ErrTooLarge, len(b), MaxSize)
	}
	return b, nil
}

// Decode parses one encoded event: at most MaxSize bytes of UTF-8 JSON,
// unknown fields rejected, valid as Validate says.
func Decode(b []byte) (Event, error) {
	if len(b) > MaxSize {
		return Event{}, fmt.Errorf("%w: %d bytes, more than %d", ErrTooLarge, len(b), MaxSize)
	}
	if !utf8.Valid(b) {
		return Event{}, fmt.Errorf("%w: not UTF-8", ErrInvalid)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var e Event
	if err := dec.Decode(&e); err != nil {
		return Event{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if dec.More() {
		return Event{}, fmt.Errorf("%w: more than one JSON value", ErrInvalid)
	}
	if err := e.Validate(); err != nil {
		return Event{}, err
	}
	return e, nil
}

// ValidType reports whether s is a valid event type.
func ValidType(s string) bool {
	if len(s) == 0 || len(s) > MaxTypeLen {
		return false
	}
	for _, c := range []byte(s) {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '_', c == '-', c == '.':
		default:
			return false
		}
	}
	return true
}

// clip shortens s for an error message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
