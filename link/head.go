package link

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/p2pcam/p2pcam/media"
	"github.com/p2pcam/p2pcam/protocol"
)

// maxHeadSize bounds the head message a viewer accepts.
const maxHeadSize = 4 << 10

// headMessage is the first message on a request's data channel, a text
// message: {"status":0,"content_type":"video/x-flv","quality":"high"}.
// Binary messages with the body follow; the camera closes the channel
// at the end of the body.
type headMessage struct {
	Status      int    `json:"status"`
	ContentType string `json:"content_type,omitempty"`
	Quality     string `json:"quality,omitempty"`
	Width       int    `json:"width,omitempty"`
	Height      int    `json:"height,omitempty"`
	Location    string `json:"location,omitempty"`
}

func encodeHead(st protocol.Status, h protocol.Head) []byte {
	b, _ := json.Marshal(headMessage{Status: int(st), ContentType: h.ContentType, Quality: string(h.Quality), Width: h.Width, Height: h.Height, Location: h.Location})
	return b
}

func decodeHead(b []byte) (protocol.Status, protocol.Head, error) {
	if len(b) > maxHeadSize {
		return 0, protocol.Head{}, fmt.Errorf("link: answer head of %d bytes", len(b))
	}
	if !utf8.Valid(b) {
		return 0, protocol.Head{}, fmt.Errorf("link: answer head is not UTF-8")
	}
	var m headMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return 0, protocol.Head{}, fmt.Errorf("link: bad answer head: %w", err)
	}
	h := protocol.Head{ContentType: m.ContentType, Width: m.Width, Height: m.Height, Location: m.Location}
	if m.Quality != "" {
		q, err := media.ParseQuality(m.Quality)
		if err != nil {
			return 0, protocol.Head{}, fmt.Errorf("link: bad answer head: %w", err)
		}
		h.Quality = q
	}
	return protocol.Status(m.Status), h, nil
}
