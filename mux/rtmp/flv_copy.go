package rtmp

import (
	"errors"
	"io"

	"github.com/p2pcam/p2pcam/mux/flv"
)

// CopyFLV writes what a player receives to w as an FLV stream (the
// header, then one tag per media message, unchanged: RTMP media messages
// are FLV tag bodies) until the publisher stops (nil) or an error. It
// returns the tags written.
func CopyFLV(w io.Writer, c *Conn) (int, error) {
	buf := flv.Header{HasAudio: true, HasVideo: true}.AppendTo(nil)
	if _, err := w.Write(buf); err != nil {
		return 0, err
	}
	n := 0
	for {
		t, err := c.ReadTag()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		buf = flv.AppendTag(buf[:0], t.Type, t.Timestamp, t.Data)
		if _, err := w.Write(buf); err != nil {
			return n, err
		}
		n++
	}
}
