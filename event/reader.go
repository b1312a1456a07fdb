package event

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// Reader reads an event stream: one encoded event per line (JSON Lines),
// as the camera sends on an events request. Blank lines are keep-alives
// and skipped.
type Reader struct {
	br *bufio.Reader
}

// NewReader returns a Reader of r.
func NewReader(r io.Reader) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, MaxSize+2)}
}

// Next returns the next event. A line longer than MaxSize is
// ErrTooLarge, a malformed one ErrInvalid; the stream can go on after
// either. At the end of the stream it returns io.EOF.
func (r *Reader) Next() (Event, error) {
	for {
		line, err := r.br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			if derr := r.discardLine(); derr != nil {
				return Event{}, derr
			}
			return Event{}, fmt.Errorf("%w: a line longer than %d bytes", ErrTooLarge, MaxSize)
		}
		if err != nil && (len(line) == 0 || !errors.Is(err, io.EOF)) {
			return Event{}, err
		}
		line = trimEOL(line)
		if len(line) == 0 {
			if err != nil {
				return Event{}, err
			}
			continue
		}
		return Decode(line)
	}
}

// discardLine skips the rest of an overlong line.
func (r *Reader) discardLine() error {
	for {
		_, err := r.br.ReadSlice('\n')
		if !errors.Is(err, bufio.ErrBufferFull) {
			return err
		}
	}
}

func trimEOL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}
