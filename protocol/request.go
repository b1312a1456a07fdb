// Package protocol is the X-P2P request layer shared by camera and viewers:
// the request grammar (GUIDE section 4), statuses and response heads. It
// parses the requests that viewers send over every transport: as a data
// channel label over P2P, or as the path and query of an HTTP GET in LAN
// mode.
//
//	ipc.flv?action=live&channel=0&quality=standard|high|super
//	ipc.flv?action=playback&channel=0&start_time=S&end_time=S
//	ipc.flv?action=download&channel=0&file_name=X&offset=N
//	ipc.track?action=live&channel=0&quality=standard|high|super
//	voice?channel=0
//	voice?channel=0&transport=track
//	command?action=inner_define|user_define&channel=0&cmd=NAME&...
//	action=inner_define&channel=0&cmd=NAME&...   (a bare command)
//
// Requests are untrusted: Parse bounds their size and rejects what is
// malformed with a Status the transport sends back.
package protocol

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/p2pcam/p2pcam/media"
)

// Size limits on untrusted requests.
const (
	// MaxLength bounds a whole request. The longest real request, a
	// command with a JSON topic payload, is a few hundred bytes; 4 KiB
	// leaves room and stays well below a data channel label's 64 KiB.
	MaxLength = 4096
	// MaxParams bounds the query parameters of one request.
	MaxParams = 32
	// MaxChannel is the highest channel number: NVRs have at most a few
	// dozen sub-channels.
	MaxChannel = 255
)

// Kind says what a request asks for.
type Kind uint8

// Request kinds.
const (
	KindLive     Kind = iota + 1 // ipc.flv?action=live
	KindPlayback                 // ipc.flv?action=playback
	KindDownload                 // ipc.flv?action=download
	KindVoice                    // voice?
	KindCommand                  // command?action=inner_define|user_define
	KindTrack                    // ipc.track?action=live: feed the session's media tracks
)

// Transports of a voice request: where the viewer's audio comes from.
const (
	// TransportChannel: the viewer sends FLV audio on the request's data
	// channel (the default).
	TransportChannel = "channel"
	// TransportTrack: the viewer sends RTP (PCMA or PCMU) on the audio
	// track of its peer connection; the data channel only holds the
	// talker's slot while it is open.
	TransportTrack = "track"
)

var kindNames = map[Kind]string{
	KindLive: "live", KindPlayback: "playback", KindDownload: "download",
	KindVoice: "voice", KindCommand: "command", KindTrack: "track",
}

// String returns the kind's name, e.g. "live".
func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return "unknown"
}

// Request is one parsed request.
type Request struct {
	Kind    Kind
	Channel int
	// Quality is the stream asked for by a live or track request; it
	// defaults to high when the request names none.
	Quality media.Quality
	// Transport is where a voice request's audio comes from:
	// TransportChannel or TransportTrack.
	Transport string
	// Action is "inner_define" or "user_define" for a command.
	Action string
	// Cmd is the command name, e.g. "get_device_st", or for the topic
	// form the raw JSON object.
	Cmd string
	// Params holds every query parameter, for the handler of the kind.
	Params url.Values
}

// Parse parses a request line such as "ipc.flv?action=live&channel=0".
// A leading "/" is ignored, so an HTTP path and query can be passed as is.
// The error is a *Error carrying the status to answer with.
func Parse(line string) (Request, error) {
	if len(line) > MaxLength {
		return Request{}, errorf(StatusBadRequest, "request is %d bytes; the limit is %d", len(line), MaxLength)
	}
	if !utf8.ValidString(line) {
		return Request{}, errorf(StatusBadRequest, "request is not valid UTF-8")
	}
	path, query, hasQuery := strings.Cut(strings.TrimPrefix(line, "/"), "?")
	if !hasQuery && strings.Contains(path, "=") {
		path, query = "", path // a bare command: "action=inner_define&..."
	}
	if strings.Count(query, "&") >= MaxParams {
		return Request{}, errorf(StatusBadRequest, "too many parameters; the limit is %d", MaxParams)
	}
	params, err := url.ParseQuery(query)
	if err != nil {
		return Request{}, errorf(StatusBadRequest, "bad query: %v", err)
	}
	for k, vs := range params {
		if !utf8.ValidString(k) {
			return Request{}, errorf(StatusBadRequest, "parameter name is not valid UTF-8")
		}
		for _, v := range vs {
			if !utf8.ValidString(v) {
				return Request{}, errorf(StatusBadRequest, "parameter %q is not valid UTF-8", k)
			}
		}
	}
	r := Request{Params: params}
	if r.Channel, err = channel(params); err != nil {
		return Request{}, err
	}
	action := params.Get("action")
	switch path {
	case "ipc.flv":
		err = r.parseMedia(action)
	case "ipc.track":
		err = r.parseTrack(action)
	case "voice":
		err = r.parseVoice()
	case "", "command":
		err = r.parseCommand(action)
	default:
		err = errorf(StatusBadRequest, "unknown request %q: want ipc.flv, ipc.track, voice or command", path)
	}
	if err != nil {
		return Request{}, err
	}
	return r, nil
}

func (r *Request) parseMedia(action string) error {
	switch action {
	case "live":
		r.Kind = KindLive
		return r.parseQuality()
	case "playback":
		r.Kind = KindPlayback
	case "download":
		r.Kind = KindDownload
	case "":
		return errorf(StatusBadRequest, "ipc.flv needs action=live, playback or download")
	default:
		return errorf(StatusBadRequest, "unknown ipc.flv action %q: want live, playback or download", action)
	}
	return nil
}

// parseQuality sets the quality a live or track request asks for.
func (r *Request) parseQuality() error {
	q := r.Params.Get("quality")
	if q == "" {
		r.Quality = media.QualityHigh
		return nil
	}
	var err error
	if r.Quality, err = media.ParseQuality(q); err != nil {
		return errorf(StatusBadRequest, "%v", err)
	}
	return nil
}

// parseTrack parses ipc.track: only live video goes on tracks.
func (r *Request) parseTrack(action string) error {
	switch action {
	case "live":
		r.Kind = KindTrack
		return r.parseQuality()
	case "":
		return errorf(StatusBadRequest, "ipc.track needs action=live")
	}
	return errorf(StatusBadRequest, "unknown ipc.track action %q: want live", action)
}

// parseVoice parses voice: transport=channel (the default) or track.
func (r *Request) parseVoice() error {
	r.Kind = KindVoice
	switch t := r.Params.Get("transport"); t {
	case "", TransportChannel:
		r.Transport = TransportChannel
	case TransportTrack:
		r.Transport = TransportTrack
	default:
		return errorf(StatusBadRequest, "unknown voice transport %q: want channel or track", t)
	}
	return nil
}

func (r *Request) parseCommand(action string) error {
	switch action {
	case "inner_define", "user_define":
	case "":
		return errorf(StatusBadRequest, "command needs action=inner_define or user_define")
	default:
		return errorf(StatusBadRequest, "unknown command action %q: want inner_define or user_define", action)
	}
	r.Kind, r.Action, r.Cmd = KindCommand, action, r.Params.Get("cmd")
	if r.Cmd == "" {
		return errorf(StatusBadRequest, "command needs cmd=NAME")
	}
	return nil
}

func channel(params url.Values) (int, error) {
	s := params.Get("channel")
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > MaxChannel {
		return 0, errorf(StatusBadRequest, "bad channel %q: want a number from 0 to %d", s, MaxChannel)
	}
	return n, nil
}

// String returns a short form of the request for logs.
func (r Request) String() string {
	switch r.Kind {
	case KindLive, KindTrack:
		return fmt.Sprintf("%s ch%d %s", r.Kind, r.Channel, r.Quality)
	case KindVoice:
		return fmt.Sprintf("voice ch%d %s", r.Channel, r.Transport)
	case KindCommand:
		return fmt.Sprintf("command ch%d %s", r.Channel, r.Cmd)
	}
	return fmt.Sprintf("%s ch%d", r.Kind, r.Channel)
}
