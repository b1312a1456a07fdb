package rtmp

import (
	"encoding/binary"
	"fmt"

	"github.com/p2pcam/p2pcam/mux/flv"
)

// FLVWriter publishes an FLV byte stream (an flv.Muxer's output) on a
// publishing Conn: it cuts the stream into tags and sends each with
// WriteTag. Writes may split the stream anywhere.
type FLVWriter struct {
	c      *Conn
	buf    []byte
	header bool // the FLV header and PreviousTagSize0 are past
}

// NewFLVWriter returns a writer that publishes on c.
func NewFLVWriter(c *Conn) *FLVWriter { return &FLVWriter{c: c} }

// Write takes FLV bytes and publishes every tag they complete.
func (w *FLVWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	if !w.header {
		if len(w.buf) < flv.HeaderSize+4 {
			return len(p), nil
		}
		_, off, err := flv.ParseHeader(w.buf)
		if err != nil {
			return 0, err
		}
		if len(w.buf) < int(off)+4 {
			return len(p), nil
		}
		w.buf = w.buf[off+4:]
		w.header = true
	}
	b := w.buf
	for len(b) >= 11 {
		n := int(get24(b[1:]))
		if n > MaxMessageSize {
			return 0, fmt.Errorf("%w: an FLV tag of %d bytes", ErrMessageTooLarge, n)
		}
		if len(b) < 11+n+4 {
			break
		}
		ts := get24(b[4:]) | uint32(b[7])<<24
		if err := w.c.WriteTag(flv.TagType(b[0]&0x1f), ts, b[11:11+n]); err != nil {
			return 0, err
		}
		if got := binary.BigEndian.Uint32(b[11+n:]); got != uint32(11+n) {
			return 0, fmt.Errorf("rtmp: FLV input: previous tag size %d after a %d-byte tag", got, 11+n)
		}
		b = b[11+n+4:]
	}
	w.buf = w.buf[:copy(w.buf, b)] // keep the partial tag at the front
	return len(p), nil
}
