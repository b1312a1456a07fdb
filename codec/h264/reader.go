package h264

import (
	"bytes"
	"fmt"
	"io"
)

// DefaultMaxNALUSize bounds a NAL unit read from a stream: a 4K intra
// picture fits with room to spare, a stream with no start codes does not
// exhaust memory.
const DefaultMaxNALUSize = 8 << 20

const readChunk = 64 << 10

// NALUReader reads NAL units from an Annex-B byte stream such as a camera
// process's stdout or an .h264 file.
type NALUReader struct {
	r       io.Reader
	base    []byte // backing array of buf
	buf     []byte // unread bytes; buf[0:] starts just after a start code when synced
	synced  bool   // a start code has been seen
	skipped bool   // the unit in progress was too large and is being skipped
	err     error  // sticky read error

	// MaxSize is the largest NAL unit returned; bigger ones are skipped
	// with ErrNALUTooLarge. Set it before the first Next.
	MaxSize int
}

// NewNALUReader returns a reader of the Annex-B stream r.
func NewNALUReader(r io.Reader) *NALUReader {
	return &NALUReader{r: r, MaxSize: DefaultMaxNALUSize}
}

// Next returns the next NAL unit without its start code. The slice is the
// caller's to keep. At the end of the stream it returns the last unit and
// then io.EOF; a unit over MaxSize yields ErrNALUTooLarge once and is
// skipped, and reading may continue. Other errors come from the
// underlying reader.
func (nr *NALUReader) Next() ([]byte, error) {
	scanned := 0 // bytes of buf already searched for a start code
	for {
		if !nr.synced {
			if i := bytes.Index(nr.buf, startCode); i >= 0 {
				nr.buf = nr.buf[i+3:]
				nr.synced = true
				scanned = 0
				continue
			}
			nr.keepTail()
		} else if i := bytes.Index(nr.buf[scanned:], startCode); i >= 0 {
			end := scanned + i
			unit := trimZeros(nr.buf[:end])
			nr.buf = nr.buf[end+3:]
			scanned = 0
			if nr.skipped {
				nr.skipped = false
				continue
			}
			if len(unit) == 0 {
				continue
			}
			if len(unit) > nr.MaxSize {
				return nil, nr.tooLarge(len(unit))
			}
			return bytes.Clone(unit), nil
		} else {
			scanned = max(len(nr.buf)-2, 0)
			if !nr.skipped && len(nr.buf) > nr.MaxSize {
				nr.skipped = true
				nr.keepTail()
				return nil, nr.tooLarge(len(nr.buf))
			}
			if nr.skipped {
				nr.keepTail()
				scanned = 0
			}
		}
		if nr.err != nil {
			return nr.finish()
		}
		nr.fill()
	}
}

// finish returns what is left at the end of the stream.
func (nr *NALUReader) finish() ([]byte, error) {
	if nr.err != io.EOF {
		return nil, nr.err
	}
	unit := trimZeros(nr.buf)
	nr.buf = nil
	if !nr.synced || nr.skipped || len(unit) == 0 {
		nr.skipped = false
		return nil, io.EOF
	}
	if len(unit) > nr.MaxSize {
		return nil, nr.tooLarge(len(unit))
	}
	return bytes.Clone(unit), nil
}

func (nr *NALUReader) tooLarge(n int) error {
	return fmt.Errorf("%w: over %d bytes (limit %d)", ErrNALUTooLarge, n, nr.MaxSize)
}

// keepTail drops all but the last two bytes of buf, which may begin a
// start code split across reads.
func (nr *NALUReader) keepTail() {
	if len(nr.buf) > 2 {
		nr.buf = append(nr.buf[:0], nr.buf[len(nr.buf)-2:]...)
	}
}

// fill reads one chunk, moving buf to the front of its backing array, or
// to a bigger one, first.
func (nr *NALUReader) fill() {
	if cap(nr.buf)-len(nr.buf) < readChunk {
		if cap(nr.base) < len(nr.buf)+readChunk {
			nr.base = make([]byte, 0, 2*len(nr.buf)+readChunk)
		}
		nr.buf = append(nr.base[:0], nr.buf...)
	}
	n, err := nr.r.Read(nr.buf[len(nr.buf) : len(nr.buf)+readChunk])
	nr.buf = nr.buf[:len(nr.buf)+n]
	if err != nil {
		nr.err = err
	}
}
