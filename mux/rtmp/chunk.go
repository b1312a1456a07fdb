package rtmp

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
)

// Limits on what a server can make the reader hold.
const (
	// MaxMessageSize bounds one message: the largest FLV tag the flv
	// Demuxer takes (a keyframe of the super quality is well under it).
	MaxMessageSize = 4 << 20
	// maxChunkSize bounds Set Chunk Size from the server: the spec's
	// 0x7fffffff would let one chunk be a whole message anyway, but
	// 16 MiB is more than any server sends (nginx-rtmp: 4096).
	maxChunkSize = 1 << 24
	// maxChunkStreams bounds the chunk streams tracked at once: a server
	// uses a handful (nginx-rtmp: 2-8); each holds a partial message.
	maxChunkStreams = 64
	// defaultChunkSize is every chunk stream's size until Set Chunk Size
	// (spec 5.4.1).
	defaultChunkSize = 128
	// extendedTimestamp marks a timestamp carried in the 4 extra bytes
	// after the message header (spec 5.3.1.3).
	extendedTimestamp = 0xffffff
)

// Message types (spec 5.4, 7.1).
const (
	typeSetChunkSize = 1
	typeAbort        = 2
	typeAck          = 3
	typeUserControl  = 4
	typeWindowAck    = 5
	typePeerBW       = 6
	typeAudio        = 8
	typeVideo        = 9
	typeDataAMF0     = 18
	typeCommandAMF0  = 20
	typeAggregate    = 22
)

// message is one RTMP message, reassembled from its chunks.
type message struct {
	Type      uint8
	Timestamp uint32
	StreamID  uint32
	Payload   []byte
}

// chunkState is what a chunk stream remembers from its last header
// (spec 5.3.1.2), and the message it is assembling.
type chunkState struct {
	timestamp uint32
	delta     uint32
	length    uint32
	typ       uint8
	streamID  uint32
	extended  bool
	buf       []byte // the message so far; nil between messages
}

// chunkReader reassembles messages from a server's chunk stream.
type chunkReader struct {
	r         *bufio.Reader
	chunkSize uint32
	streams   map[uint32]*chunkState
	read      uint64 // bytes read, for acknowledgements
}

func newChunkReader(r io.Reader) *chunkReader {
	return &chunkReader{r: bufio.NewReaderSize(r, 16<<10), chunkSize: defaultChunkSize, streams: map[uint32]*chunkState{}}
}

func (c *chunkReader) full(b []byte) error {
	n, err := io.ReadFull(c.r, b)
	c.read += uint64(n)
	return err
}

// setChunkSize applies a Set Chunk Size message's payload.
func (c *chunkReader) setChunkSize(p []byte) error {
	if len(p) < 4 {
		return fmt.Errorf("%w: set chunk size of %d bytes", ErrBadChunk, len(p))
	}
	n := binary.BigEndian.Uint32(p) & 0x7fffffff
	if n == 0 || n > maxChunkSize {
		return fmt.Errorf("%w: chunk size %d", ErrBadChunk, n)
	}
	c.chunkSize = n
	return nil
}

// readMessage reads chunks until a message is whole, and returns it.
// Its payload is valid until the next call.
func (c *chunkReader) readMessage() (message, error) {
	for {
		m, done, err := c.readChunk()
		if err != nil || done {
			return m, err
		}
	}
}

// readChunk reads one chunk: a basic header (5.3.1.1), a message header
// of format 0-3 (5.3.1.2), an extended timestamp, and data.
func (c *chunkReader) readChunk() (message, bool, error) {
	var h [11]byte
	if err := c.full(h[:1]); err != nil {
		return message{}, false, err
	}
	format := h[0] >> 6
	csid := uint32(h[0] & 0x3f)
	switch csid {
	case 0:
		if err := c.full(h[:1]); err != nil {
			return message{}, false, noEOF(err)
		}
		csid = 64 + uint32(h[0])
	case 1:
		if err := c.full(h[:2]); err != nil {
			return message{}, false, noEOF(err)
		}
		csid = 64 + uint32(h[0]) + uint32(h[1])<<8
	}
	st := c.streams[csid]
	if st == nil {
		if format != 0 {
			return message{}, false, fmt.Errorf("%w: chunk stream %d starts with format %d", ErrBadChunk, csid, format)
		}
		if len(c.streams) >= maxChunkStreams {
			return message{}, false, fmt.Errorf("%w: more than %d chunk streams", ErrBadChunk, maxChunkStreams)
		}
		st = &chunkState{}
		c.streams[csid] = st
	}
	if st.buf != nil && format != 3 {
		return message{}, false, fmt.Errorf("%w: chunk stream %d: a format %d header inside a message", ErrBadChunk, csid, format)
	}
	size := [4]int{11, 7, 3, 0}[format]
	if err := c.full(h[:size]); err != nil {
		return message{}, false, noEOF(err)
	}
	if format <= 2 {
		ts := get24(h[:])
		st.extended = ts == extendedTimestamp
		if format == 0 {
			st.timestamp, st.delta = ts, 0
		} else {
			st.delta = ts
		}
	}
	if format <= 1 {
		st.length = get24(h[3:])
		st.typ = h[6]
		if st.length > MaxMessageSize {
			return message{}, false, fmt.Errorf("%w: %d bytes (at most %d)", ErrMessageTooLarge, st.length, MaxMessageSize)
		}
	}
	if format == 0 {
		st.streamID = binary.LittleEndian.Uint32(h[7:])
	}
	if st.extended {
		if err := c.full(h[:4]); err != nil {
			return message{}, false, noEOF(err)
		}
		ext := binary.BigEndian.Uint32(h[:])
		if format == 0 {
			st.timestamp = ext
		} else if format <= 2 {
			st.delta = ext
		}
	}
	if st.buf == nil {
		if format != 0 {
			st.timestamp += st.delta
		}
		st.buf = make([]byte, 0, min(st.length, 64<<10))
	}
	n := min(st.length-uint32(len(st.buf)), c.chunkSize)
	start := len(st.buf)
	st.buf = append(st.buf, make([]byte, n)...)
	if err := c.full(st.buf[start:]); err != nil {
		return message{}, false, noEOF(err)
	}
	if uint32(len(st.buf)) < st.length {
		return message{}, false, nil
	}
	m := message{Type: st.typ, Timestamp: st.timestamp, StreamID: st.streamID, Payload: st.buf}
	st.buf = nil
	return m, true, nil
}

// abort drops the partial message of a chunk stream (Abort Message,
// spec 5.4.2).
func (c *chunkReader) abort(p []byte) {
	if len(p) >= 4 {
		if st := c.streams[binary.BigEndian.Uint32(p)]; st != nil {
			st.buf = nil
		}
	}
}

// appendMessage appends m as chunks of at most chunkSize bytes on chunk
// stream csid (2-63): a format 0 header, then format 3 continuations.
func appendMessage(dst []byte, csid uint8, chunkSize int, m message) []byte {
	ts := m.Timestamp
	ext := ts >= extendedTimestamp
	dst = append(dst, csid&0x3f)
	if ext {
		dst = put24(dst, extendedTimestamp)
	} else {
		dst = put24(dst, ts)
	}
	dst = put24(dst, uint32(len(m.Payload)))
	dst = append(dst, m.Type)
	dst = binary.LittleEndian.AppendUint32(dst, m.StreamID)
	p := m.Payload
	for first := true; first || len(p) > 0; first = false {
		if !first {
			dst = append(dst, 0xc0|csid&0x3f)
		}
		if ext {
			dst = binary.BigEndian.AppendUint32(dst, ts)
		}
		n := min(len(p), chunkSize)
		dst = append(dst, p[:n]...)
		p = p[n:]
	}
	return dst
}

func get24(b []byte) uint32 { return uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2]) }

func put24(dst []byte, v uint32) []byte { return append(dst, byte(v>>16), byte(v>>8), byte(v)) }

// noEOF turns an EOF inside a chunk into io.ErrUnexpectedEOF.
func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
