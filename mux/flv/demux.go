package flv

import (
	"errors"
	"fmt"
	"io"
)

// DefaultMaxTagSize is the Demuxer's default limit on a tag's data size.
const DefaultMaxTagSize = 4 << 20

// maxDataOffset bounds the FLV header's data offset: version 1 headers
// are 9 bytes, and nothing needs kilobytes of extension.
const maxDataOffset = 4096

// readChunk is how much of a tag the Demuxer reads into a buffer it has to
// grow at a time, so that a declared size alone cannot make it allocate
// more than the stream actually delivers (plus this).
const readChunk = 64 << 10

// Tag is one FLV tag as the Demuxer read it.
type Tag struct {
	Type      TagType
	Timestamp uint32 // ms, with the extended byte as the upper 8 bits
	StreamID  uint32 // always 0 in valid files
	Data      []byte // the tag body; valid until the next ReadTag
}

// Demuxer reads an FLV stream: ReadHeader once, then ReadTag until it
// returns io.EOF. It bounds what it reads, for untrusted input. It is not
// safe for concurrent use.
//
// After any error other than io.EOF the stream position is unknown, and
// every later call returns the same error.
type Demuxer struct {
	// MaxTagSize limits a tag's data size; a larger tag is ErrTagTooLarge.
	// NewDemuxer sets it to DefaultMaxTagSize.
	MaxTagSize int

	// BadPrevSizes counts PreviousTagSize fields that did not match the
	// tag before them. Some vendor apps write garbage there, so a mismatch
	// is counted, not an error.
	BadPrevSizes int

	r          io.Reader
	err        error
	headerRead bool
	// prevPending is set when the PreviousTagSize after the last tag is
	// still to be read; prevWant is its expected value.
	prevPending bool
	prevWant    uint32
	hdr         [prevTagSizeSize + tagHeaderSize]byte
	buf         []byte
}

// NewDemuxer returns a Demuxer that reads from r.
func NewDemuxer(r io.Reader) *Demuxer {
	return &Demuxer{r: r, MaxTagSize: DefaultMaxTagSize}
}

// ReadHeader reads the FLV header: it checks the "FLV" signature, version
// 1 and the data offset (9 to 4096), skips any bytes up to the data
// offset, and reads PreviousTagSize0. An empty stream is io.EOF; a
// truncated header wraps io.ErrUnexpectedEOF.
func (d *Demuxer) ReadHeader() (Header, error) {
	if d.err != nil {
		return Header{}, d.err
	}
	if d.headerRead {
		return Header{}, errors.New("flv: ReadHeader called twice")
	}
	var b [HeaderSize]byte
	if _, err := io.ReadFull(d.r, b[:]); err != nil {
		if err != io.EOF {
			err = fmt.Errorf("flv: header: %w", err)
		}
		return Header{}, d.fail(err)
	}
	h, offset, err := ParseHeader(b[:])
	if err != nil {
		return Header{}, d.fail(err)
	}
	// Skip the rest of the header and read PreviousTagSize0.
	if extra := int64(offset - HeaderSize); extra > 0 {
		if _, err := io.CopyN(io.Discard, d.r, extra); err != nil {
			return Header{}, d.fail(fmt.Errorf("flv: header: %w", noEOF(err)))
		}
	}
	if _, err := io.ReadFull(d.r, d.hdr[:prevTagSizeSize]); err != nil {
		return Header{}, d.fail(fmt.Errorf("flv: header: PreviousTagSize0: %w", noEOF(err)))
	}
	d.prevWant = 0
	d.checkPrev(d.hdr[:prevTagSizeSize])
	d.headerRead = true
	return h, nil
}

// ReadTag reads the next tag. It returns io.EOF at the end of the stream
// between tags (whether or not the last PreviousTagSize is there), an
// error wrapping io.ErrUnexpectedEOF when the stream ends inside a tag,
// ErrTagTooLarge when the tag's size exceeds MaxTagSize, and ErrEncrypted
// for a filtered tag. Tags of any type are returned. Tag.Data is valid
// until the next call.
//
// The PreviousTagSize after a tag is read at the start of the next call,
// so that a tag is returned as soon as its data has arrived.
func (d *Demuxer) ReadTag() (Tag, error) {
	if d.err != nil {
		return Tag{}, d.err
	}
	if !d.headerRead {
		return Tag{}, errors.New("flv: ReadTag before ReadHeader")
	}
	h := d.hdr[:]
	if !d.prevPending {
		h = h[prevTagSizeSize:]
	}
	n, err := io.ReadFull(d.r, h)
	if err != nil {
		if n == 0 || (d.prevPending && n == prevTagSizeSize) {
			d.checkPrev(h[:n])
			return Tag{}, d.fail(io.EOF)
		}
		return Tag{}, d.fail(fmt.Errorf("flv: tag header: %w", noEOF(err)))
	}
	if d.prevPending {
		d.checkPrev(h[:prevTagSizeSize])
		h = h[prevTagSizeSize:]
	}
	if h[0]&tagFilterBit != 0 {
		return Tag{}, d.fail(ErrEncrypted)
	}
	t := Tag{
		Type:      TagType(h[0] & tagTypeMask),
		Timestamp: get24(h[4:]) | uint32(h[7])<<24,
		StreamID:  get24(h[8:]),
	}
	size := int(get24(h[1:]))
	if size > d.MaxTagSize {
		return Tag{}, d.fail(fmt.Errorf("%w: %s tag of %d bytes, limit %d", ErrTagTooLarge, t.Type, size, d.MaxTagSize))
	}
	if t.Data, err = d.readData(size); err != nil {
		return Tag{}, d.fail(fmt.Errorf("flv: %s tag data: %w", t.Type, noEOF(err)))
	}
	d.prevPending, d.prevWant = true, uint32(tagHeaderSize+size)
	return t, nil
}

// readData reads n bytes into the reused buffer. A buffer too small grows
// by at most readChunk beyond what has been read, so a stream that ends
// early costs little memory whatever size it declared.
func (d *Demuxer) readData(n int) ([]byte, error) {
	if n <= cap(d.buf) {
		d.buf = d.buf[:n]
		_, err := io.ReadFull(d.r, d.buf)
		return d.buf, err
	}
	d.buf = d.buf[:0]
	for len(d.buf) < n {
		have := len(d.buf)
		want := min(n, have+max(have, readChunk))
		if want > cap(d.buf) {
			grown := make([]byte, have, want)
			copy(grown, d.buf)
			d.buf = grown
		}
		d.buf = d.buf[:want]
		if _, err := io.ReadFull(d.r, d.buf[have:]); err != nil {
			return nil, err
		}
	}
	return d.buf, nil
}

// checkPrev counts a PreviousTagSize that does not match the last tag; b
// holds it, or fewer bytes when the stream ended without one.
func (d *Demuxer) checkPrev(b []byte) {
	if len(b) != prevTagSizeSize {
		return
	}
	got := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	if got != d.prevWant {
		d.BadPrevSizes++
	}
}

// fail records err as the Demuxer's sticky error and returns it.
func (d *Demuxer) fail(err error) error {
	d.err = err
	return err
}

// noEOF turns io.EOF, which inside a structure means truncation, into
// io.ErrUnexpectedEOF.
func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
