package discovery

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Size limits on the untrusted datagrams.
const (
	// MaxMatchSize bounds an answer: a device ID (129 bytes at most), a
	// LAN URL and a few flags fit in well under 512 bytes.
	MaxMatchSize = 512
	// MinProbeSize is the least a probe must weigh: the most an answer
	// can. Probes are padded up to it (Probe.Marshal), so an answer is
	// never bigger than the probe it answers.
	MinProbeSize = MaxMatchSize
	// MaxProbeSize bounds a probe: a padded probe is MinProbeSize; more
	// is noise, ignored unread.
	MaxProbeSize = 1024
	// maxField bounds each string field of a message.
	maxField = 200
)

// Method names, as X-P2P's LAN discovery has them.
const (
	MethodProbe = "probe"
	MethodMatch = "probeMatch"
)

// Probe asks cameras to answer. Its zero filter asks every camera.
type Probe struct {
	// ClientToken ties the matches to this probe: cameras echo it.
	ClientToken string
	// ProductID and DeviceName, when set, ask only that product or
	// device to answer.
	ProductID, DeviceName string
}

// Match is a camera's answer to a probe.
type Match struct {
	ClientToken string // the probe's
	ProductID   string
	DeviceName  string
	// URL is the camera's LAN mode base URL, http://IP:PORT, with the
	// address the probe reached it on.
	URL string
	// NeedsToken says whether requests need a viewer token (auth on).
	NeedsToken bool
	// Channels is how many cameras it serves (1, or more on an NVR).
	Channels int
}

// wire is the JSON of both messages:
// {"method":"probe","clientToken":"t","params":{...},"pad":"   "}.
type wire struct {
	Method      string     `json:"method"`
	ClientToken string     `json:"clientToken"`
	Params      wireParams `json:"params"`
	Pad         string     `json:"pad,omitempty"` // a probe's padding to MinProbeSize
}

type wireParams struct {
	ProductID  string `json:"productId,omitempty"`
	DeviceName string `json:"deviceName,omitempty"`
	URL        string `json:"url,omitempty"`
	Auth       string `json:"auth,omitempty"` // "token" or "none"
	Channels   int    `json:"channels,omitempty"`
}

// Marshal encodes the probe, padded to MinProbeSize.
func (p Probe) Marshal() ([]byte, error) {
	if err := checkFields(p.ClientToken, p.ProductID, p.DeviceName); err != nil {
		return nil, err
	}
	b, err := json.Marshal(wire{Method: MethodProbe, ClientToken: p.ClientToken,
		Params: wireParams{ProductID: p.ProductID, DeviceName: p.DeviceName}})
	if err != nil {
		return nil, err
	}
	if pad := MinProbeSize - len(b) - len(`,"pad":""`); pad > 0 {
		b = append(b[:len(b)-1], `,"pad":"`+strings.Repeat(" ", pad)+`"}`...)
	}
	return b, nil
}

// UnmarshalProbe decodes a probe of at least MinProbeSize and at most
// MaxProbeSize bytes.
func UnmarshalProbe(b []byte) (Probe, error) {
	switch {
	case len(b) > MaxProbeSize:
		return Probe{}, fmt.Errorf("%w: probe of %d bytes, at most %d", ErrTooBig, len(b), MaxProbeSize)
	case len(b) < MinProbeSize:
		return Probe{}, fmt.Errorf("%w: probe of %d bytes, at least %d", ErrTooSmall, len(b), MinProbeSize)
	}
	w, err := decode(b, MethodProbe)
	if err != nil {
		return Probe{}, err
	}
	if w.Params.URL != "" || w.Params.Auth != "" || w.Params.Channels != 0 {
		return Probe{}, fmt.Errorf("%w: a probe with a match's fields", ErrMalformed)
	}
	return Probe{ClientToken: w.ClientToken, ProductID: w.Params.ProductID, DeviceName: w.Params.DeviceName}, nil
}

// Marshal encodes the match; it fails over MaxMatchSize.
func (m Match) Marshal() ([]byte, error) {
	if err := checkFields(m.ClientToken, m.ProductID, m.DeviceName, m.URL); err != nil {
		return nil, err
	}
	auth := "none"
	if m.NeedsToken {
		auth = "token"
	}
	b, err := json.Marshal(wire{Method: MethodMatch, ClientToken: m.ClientToken,
		Params: wireParams{ProductID: m.ProductID, DeviceName: m.DeviceName, URL: m.URL, Auth: auth, Channels: m.Channels}})
	if err != nil {
		return nil, err
	}
	if len(b) > MaxMatchSize {
		return nil, fmt.Errorf("%w: match of %d bytes, at most %d", ErrTooBig, len(b), MaxMatchSize)
	}
	return b, nil
}

// UnmarshalMatch decodes a camera's answer: an http URL with a host, a
// product and device name, auth "token" or "none", 1 to 256 channels.
func UnmarshalMatch(b []byte) (Match, error) {
	if len(b) > MaxMatchSize {
		return Match{}, fmt.Errorf("%w: match of %d bytes, at most %d", ErrTooBig, len(b), MaxMatchSize)
	}
	w, err := decode(b, MethodMatch)
	if err != nil {
		return Match{}, err
	}
	p := w.Params
	u, err := url.Parse(p.URL)
	switch {
	case err != nil || u.Scheme != "http" || u.Host == "" || u.Port() == "":
		return Match{}, fmt.Errorf("%w: url %q: want http://IP:PORT", ErrMalformed, p.URL)
	case p.ProductID == "" || p.DeviceName == "":
		return Match{}, fmt.Errorf("%w: a match without productId or deviceName", ErrMalformed)
	case p.Auth != "token" && p.Auth != "none":
		return Match{}, fmt.Errorf("%w: auth %q: want token or none", ErrMalformed, p.Auth)
	case p.Channels < 1 || p.Channels > 256:
		return Match{}, fmt.Errorf("%w: channels %d: want 1 to 256", ErrMalformed, p.Channels)
	}
	return Match{ClientToken: w.ClientToken, ProductID: p.ProductID, DeviceName: p.DeviceName,
		URL: p.URL, NeedsToken: p.Auth == "token", Channels: p.Channels}, nil
}

// decode parses b as a message of method want: strict JSON, no unknown
// fields, fields within maxField.
func decode(b []byte, want string) (wire, error) {
	var w wire
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return wire{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if dec.More() {
		return wire{}, fmt.Errorf("%w: data after the message", ErrMalformed)
	}
	if w.Method != want {
		return wire{}, fmt.Errorf("%w: method %q, want %q", ErrMalformed, w.Method, want)
	}
	if strings.Trim(w.Pad, " ") != "" {
		return wire{}, fmt.Errorf("%w: pad is not spaces", ErrMalformed)
	}
	if err := checkFields(w.ClientToken, w.Params.ProductID, w.Params.DeviceName, w.Params.URL, w.Params.Auth); err != nil {
		return wire{}, err
	}
	return w, nil
}

// checkFields bounds string fields: at most maxField bytes of valid
// UTF-8 without control characters, which a terminal would act on.
func checkFields(fields ...string) error {
	for _, f := range fields {
		if len(f) > maxField || !utf8.ValidString(f) || strings.ContainsFunc(f, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			return fmt.Errorf("%w: a field over %d bytes, or with control characters", ErrMalformed, maxField)
		}
	}
	return nil
}
