package protocol

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// CmdStatus is the command that asks a camera what it is doing:
// action=inner_define&channel=0&cmd=get_status. It is a p2pcam extension
// in X-P2P's inner_define family (beside get_device_st, which answers
// only whether a request would be accepted); it needs the command
// permission, and its answer is a Report.
const CmdStatus = "get_status"

// StatusRequest is the request line of the status command.
const StatusRequest = "command?action=inner_define&channel=0&cmd=" + CmdStatus

// MaxReportSize bounds a Report a viewer reads: 32 viewers and a few
// streams take about 10 KiB, so 1 MiB is far beyond any real camera's.
const MaxReportSize = 1 << 20

// Report is a camera's account of itself: who it serves, its streams,
// talkback and its broker connection.
type Report struct {
	Device  string    `json:"device,omitempty"` // PRODUCT/DEVICE; empty in LAN-only mode
	Board   string    `json:"board"`
	Agent   string    `json:"agent"` // software and version, e.g. "p2pcamd/1.2"
	Time    time.Time `json:"time"`  // when the report was made, on the camera's clock
	Started time.Time `json:"started"`

	Viewers     []ViewerReport `json:"viewers"`
	MaxViewers  int            `json:"max_viewers"`
	P2PSessions int            `json:"p2p_sessions"` // peer connections, with or without requests
	Streams     []StreamReport `json:"streams"`
	Talkback    TalkbackReport `json:"talkback"`
	Broker      BrokerReport   `json:"broker"`
}

// ViewerReport is one request being served: a live stream, a track feed
// or a talker.
type ViewerReport struct {
	Who       string `json:"who"`            // the token's subject, or the remote address
	Addr      string `json:"addr"`           // remote address, or p2p:SESSION
	Transport string `json:"transport"`      // "lan" or "p2p"
	Path      string `json:"path,omitempty"` // P2P: host, srflx or relay
	Remote    string `json:"remote,omitempty"`
	Request   string `json:"request"`           // the request line, e.g. ipc.flv?action=live&channel=0&quality=high
	Kind      string `json:"kind"`              // live, track or voice
	Quality   string `json:"quality,omitempty"` // the stream served
	// BitrateBPS is the rate of the last few seconds, in bits per second.
	BitrateBPS int64 `json:"bitrate_bps"`
	// Bytes were sent to the viewer (for a talker: received from it).
	Bytes int64     `json:"bytes"`
	Since time.Time `json:"since"`
}

// Stream states.
const (
	StreamRunning     = "running"     // the source makes video
	StreamWaiting     = "waiting"     // viewers wait for the source's first (or next) video frame
	StreamIdle        = "idle"        // no viewers: the source is stopped until one comes
	StreamUnavailable = "unavailable" // the source cannot capture now (Error says why)
)

// StreamReport is one quality's stream.
type StreamReport struct {
	// Channel is the camera it belongs to: 0, or an NVR channel.
	Channel int     `json:"channel,omitempty"`
	Quality string  `json:"quality"`
	State   string  `json:"state"`
	Error   string  `json:"error,omitempty"` // why it is unavailable
	Width   int     `json:"width,omitempty"`
	Height  int     `json:"height,omitempty"`
	FPS     float64 `json:"fps"`         // measured over the last few seconds
	Bitrate int64   `json:"bitrate_bps"` // video, measured over the last few seconds
	// TargetBPS is the encoder's bit rate target where the camera sets
	// it (it lowers it while viewers fall behind); 0 otherwise.
	TargetBPS   int    `json:"target_bps,omitempty"`
	Subscribers int    `json:"subscribers"`
	Frames      uint64 `json:"frames"`
	// DroppedFrames were dropped for viewers that fell behind, LateFrames
	// of them skipped to catch up with live, the rest lost to full
	// queues.
	DroppedFrames uint64 `json:"dropped_frames"`
	LateFrames    uint64 `json:"late_frames"`
}

// Talkback states.
const (
	TalkbackOff     = "off"     // the camera has no speaker
	TalkbackIdle    = "idle"    // nobody talks
	TalkbackTalking = "talking" // Who talks
)

// TalkbackReport is the speaker's state.
type TalkbackReport struct {
	State string    `json:"state"`
	Who   string    `json:"who,omitempty"`
	Since time.Time `json:"since,omitzero"`
}

// BrokerReport is the camera's MQTT connection, P2P mode's signalling.
type BrokerReport struct {
	Enabled     bool      `json:"enabled"` // false: P2P mode is off
	URL         string    `json:"url,omitempty"`
	Connected   bool      `json:"connected"`
	Since       time.Time `json:"since,omitzero"` // when it came up, or went down
	Reconnects  int       `json:"reconnects"`
	Failures    int       `json:"failures"` // connection attempts that failed
	LastError   string    `json:"last_error,omitempty"`
	LastErrorAt time.Time `json:"last_error_at,omitzero"`
}

// DecodeReport parses a camera's status answer and checks that it makes
// sense, so that a viewer prints nothing a camera did not mean.
func DecodeReport(b []byte) (Report, error) {
	var r Report
	if len(b) > MaxReportSize {
		return r, fmt.Errorf("%w: %d bytes, more than %d", ErrBadReport, len(b), MaxReportSize)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&r); err != nil {
		return Report{}, fmt.Errorf("%w: %v", ErrBadReport, err)
	}
	if err := r.check(); err != nil {
		return Report{}, fmt.Errorf("%w: %v", ErrBadReport, err)
	}
	return r, nil
}

// check reports the first thing in r that cannot be.
func (r Report) check() error {
	if r.Board == "" || r.Agent == "" {
		return errors.New("no board or agent")
	}
	if r.MaxViewers < 0 || r.P2PSessions < 0 {
		return errors.New("negative counts")
	}
	for _, v := range r.Viewers {
		if v.Transport != "lan" && v.Transport != "p2p" {
			return fmt.Errorf("viewer transport %q", v.Transport)
		}
		if v.Bytes < 0 || v.BitrateBPS < 0 {
			return errors.New("negative viewer counts")
		}
	}
	for _, s := range r.Streams {
		switch s.State {
		case StreamRunning, StreamWaiting, StreamIdle, StreamUnavailable:
		default:
			return fmt.Errorf("stream state %q", s.State)
		}
		if s.Width < 0 || s.Height < 0 || s.FPS < 0 || s.Bitrate < 0 || s.TargetBPS < 0 || s.Subscribers < 0 {
			return errors.New("negative stream counts")
		}
	}
	switch r.Talkback.State {
	case TalkbackOff, TalkbackIdle, TalkbackTalking:
	default:
		return fmt.Errorf("talkback state %q", r.Talkback.State)
	}
	if r.Broker.Reconnects < 0 || r.Broker.Failures < 0 {
		return errors.New("negative broker counts")
	}
	return nil
}
