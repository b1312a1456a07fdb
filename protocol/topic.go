package protocol

import (
	"bytes"
	"encoding/json"
	"strings"
)

// MaxNameLength bounds a command or topic name. Real names
// ("get_device_st", "ptz_release_pre") are under 20 bytes.
const MaxNameLength = 64

// Topic is the JSON form of a command, sent as the cmd parameter:
//
//	cmd={"topic":"ptz","data":{"cmd":"ptz_up_press"},"message_id":7}
//
// Topic names the handler; Data, a JSON object, holds its parameters.
type Topic struct {
	Topic string `json:"topic"`
	// Data is the raw JSON object of parameters; nil when absent or null.
	Data json.RawMessage `json:"data,omitempty"`
	// MessageID is the viewer's number for the message; 0 when absent.
	MessageID int64 `json:"message_id,omitempty"`
}

// IsTopic reports whether a command's cmd parameter is the JSON form.
func IsTopic(cmd string) bool { return strings.HasPrefix(strings.TrimSpace(cmd), "{") }

// ParseTopic parses the JSON form of a command. It wants one JSON object
// with a valid topic name and, if data is present, a JSON object; the
// error is a *Error with StatusBadRequest. The request's size is already
// bounded by MaxLength.
func ParseTopic(cmd string) (Topic, error) {
	dec := json.NewDecoder(strings.NewReader(cmd))
	var t Topic
	if err := dec.Decode(&t); err != nil {
		return Topic{}, errorf(StatusBadRequest, "bad JSON command: %v", err)
	}
	if dec.More() {
		return Topic{}, errorf(StatusBadRequest, "bad JSON command: data after the object")
	}
	if _, err := dec.Token(); err == nil {
		return Topic{}, errorf(StatusBadRequest, "bad JSON command: data after the object")
	}
	if !ValidName(t.Topic) {
		return Topic{}, errorf(StatusBadRequest, "bad JSON command: topic %q: want 1 to %d letters, digits, '_', '-' or '.'", t.Topic, MaxNameLength)
	}
	if d := bytes.TrimSpace(t.Data); len(d) == 0 || bytes.Equal(d, []byte("null")) {
		t.Data = nil
	} else if d[0] != '{' {
		return Topic{}, errorf(StatusBadRequest, "bad JSON command: data must be an object")
	}
	return t, nil
}

// ValidName reports whether s can name a command or topic: 1 to
// MaxNameLength ASCII letters, digits, '_', '-' or '.'.
func ValidName(s string) bool {
	if s == "" || len(s) > MaxNameLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '_', c == '-', c == '.':
		default:
			return false
		}
	}
	return true
}
