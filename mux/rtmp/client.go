package rtmp

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/p2pcam/p2pcam/mux/flv"
)

// Chunk streams the client sends on.
const (
	csidControl = 2
	csidCommand = 3
	csidAudio   = 4
	csidVideo   = 6
	csidData    = 5
)

// sendChunkSize is the chunk size the client announces and uses: big
// enough that most frames go in a few chunks.
const sendChunkSize = 4096

// setupTimeout bounds connect, createStream and publish/play when ctx has
// no deadline of its own.
const setupTimeout = 10 * time.Second

// Conn is an RTMP connection that publishes or plays one stream.
// WriteTag (publishers) and ReadTag (players) may run beside Close.
type Conn struct {
	nc       net.Conn
	r        *chunkReader
	streamID uint32
	publish  bool

	wmu       sync.Mutex // guards the writes and the fields below
	wbuf      []byte
	ackWindow uint32
	acked     uint64

	pending []flv.Tag // a player's tags taken from an aggregate message

	drainErr  chan error // a publisher's reader: what ended it
	closeOnce sync.Once
}

// Publish connects to url (rtmp://HOST[:PORT]/APP/NAME[?ARGS]) and
// publishes the live stream NAME; send its tags with WriteTag.
func Publish(ctx context.Context, url string) (*Conn, error) {
	return dial(ctx, url, true)
}

// Play connects to url and plays the stream NAME; read its tags with
// ReadTag. nginx-rtmp waits for a publisher when there is none yet.
func Play(ctx context.Context, url string) (*Conn, error) {
	return dial(ctx, url, false)
}

func dial(ctx context.Context, rawURL string, publish bool) (*Conn, error) {
	t, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", t.Addr)
	if err != nil {
		return nil, fmt.Errorf("rtmp: %w", err)
	}
	c := &Conn{nc: nc, r: newChunkReader(nc), publish: publish}
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(setupTimeout)
	}
	_ = nc.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = nc.SetDeadline(time.Unix(1, 0)) })
	err = c.setup(t)
	if !stop() && err != nil {
		err = fmt.Errorf("%w (%v)", ctx.Err(), err)
	}
	if err != nil {
		nc.Close()
		return nil, err
	}
	_ = nc.SetDeadline(time.Time{})
	if publish {
		c.drainErr = make(chan error, 1)
		go func() { c.drainErr <- c.drain() }()
	}
	return c, nil
}

// setup runs the handshake and the commands up to NetStream.*.Start.
func (c *Conn) setup(t Target) error {
	if err := handshake(c.nc); err != nil {
		return err
	}
	size := binary.BigEndian.AppendUint32(nil, sendChunkSize)
	if err := c.send(csidControl, message{Type: typeSetChunkSize, Payload: size}); err != nil {
		return err
	}
	connect := flv.Object{
		{Name: "app", Value: t.App},
		{Name: "type", Value: "nonprivate"},
		{Name: "flashVer", Value: "FMLE/3.0 (compatible; p2pcam)"},
		{Name: "tcUrl", Value: t.TCURL},
	}
	if _, err := c.call(0, "connect", 1, connect); err != nil {
		return err
	}
	res, err := c.call(0, "createStream", 2, nil)
	if err != nil {
		return err
	}
	id, ok := arg(res, 3).(float64)
	if !ok || id < 0 || id > 1<<24 {
		return fmt.Errorf("%w: createStream answered %v", ErrRefused, res)
	}
	c.streamID = uint32(id)
	want := "NetStream.Play.Start"
	cmd := []any{"play", 0, nil, t.Stream, -2}
	if c.publish {
		want = "NetStream.Publish.Start"
		cmd = []any{"publish", 0, nil, t.Stream, "live"}
	}
	if err := c.command(c.streamID, cmd...); err != nil {
		return err
	}
	for {
		m, err := c.next()
		if err != nil {
			return closedDuringSetup(err)
		}
		if m.Type != typeCommandAMF0 {
			continue
		}
		vals, _ := flv.DecodeAMF0(m.Payload)
		if name, _ := arg(vals, 0).(string); name != "onStatus" {
			continue
		}
		info, _ := arg(vals, 3).(flv.Object)
		code, _ := getString(info, "code")
		if code == want {
			return nil
		}
		if level, _ := getString(info, "level"); level == "error" {
			desc, _ := getString(info, "description")
			return fmt.Errorf("%w: %s %s", ErrRefused, code, desc)
		}
	}
}

// closedDuringSetup explains a server that closed the connection while
// a command waited for its answer.
func closedDuringSetup(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("%w: the server closed the connection (nginx-rtmp does so when its on_play or on_publish callback refuses: check the token): %v", ErrRefused, err)
	}
	return fmt.Errorf("rtmp: %w", err)
}

// call sends a command with transaction id txn and waits for its _result.
func (c *Conn) call(streamID uint32, name string, txn int, obj any) ([]any, error) {
	if err := c.command(streamID, name, txn, obj); err != nil {
		return nil, err
	}
	for {
		m, err := c.next()
		if err != nil {
			return nil, closedDuringSetup(err)
		}
		if m.Type != typeCommandAMF0 {
			continue
		}
		vals, err := flv.DecodeAMF0(m.Payload)
		if err != nil {
			return nil, fmt.Errorf("rtmp: %s: bad answer: %w", name, err)
		}
		id, _ := arg(vals, 1).(float64)
		switch arg(vals, 0) {
		case "_result":
			if int(id) == txn {
				return vals, nil
			}
		case "_error":
			if int(id) == txn {
				info, _ := arg(vals, 3).(flv.Object)
				desc, _ := getString(info, "description")
				return nil, fmt.Errorf("%w: %s: %s", ErrRefused, name, desc)
			}
		}
	}
}

// command sends an AMF0 command message.
func (c *Conn) command(streamID uint32, vals ...any) error {
	var p []byte
	for _, v := range vals {
		var err error
		if p, err = flv.AppendAMF0(p, v); err != nil {
			return fmt.Errorf("rtmp: encode command: %w", err)
		}
	}
	return c.send(csidCommand, message{Type: typeCommandAMF0, StreamID: streamID, Payload: p})
}

// send writes one message.
func (c *Conn) send(csid uint8, m message) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.wbuf = appendMessage(c.wbuf[:0], csid, sendChunkSize, m)
	_, err := c.nc.Write(c.wbuf)
	return err
}

// next reads the next message, answering the protocol control messages
// (chunk size, acknowledgements, pings) on the way.
func (c *Conn) next() (message, error) {
	for {
		m, err := c.r.readMessage()
		if err != nil {
			return m, err
		}
		if err := c.acknowledge(); err != nil {
			return m, err
		}
		switch m.Type {
		case typeSetChunkSize:
			if err := c.r.setChunkSize(m.Payload); err != nil {
				return m, err
			}
		case typeAbort:
			c.r.abort(m.Payload)
		case typeWindowAck:
			if len(m.Payload) >= 4 {
				c.wmu.Lock()
				c.ackWindow = binary.BigEndian.Uint32(m.Payload)
				c.wmu.Unlock()
			}
		case typeUserControl:
			// Ping request (event 6) wants a ping response (7) with its
			// timestamp (spec 7.1.7).
			if len(m.Payload) >= 6 && binary.BigEndian.Uint16(m.Payload) == 6 {
				p := append([]byte{0, 7}, m.Payload[2:6]...)
				if err := c.send(csidControl, message{Type: typeUserControl, Payload: p}); err != nil {
					return m, err
				}
			}
			if len(m.Payload) >= 2 && binary.BigEndian.Uint16(m.Payload) == 1 && !c.publish {
				return m, nil // Stream EOF: ReadTag ends
			}
		case typeAck, typePeerBW:
		default:
			return m, nil
		}
	}
}

// acknowledge sends an Acknowledgement when a window's worth has come
// in since the last (spec 5.4.3).
func (c *Conn) acknowledge() error {
	c.wmu.Lock()
	due := c.ackWindow > 0 && c.r.read-c.acked >= uint64(c.ackWindow)
	if due {
		c.acked = c.r.read
	}
	c.wmu.Unlock()
	if !due {
		return nil
	}
	return c.send(csidControl, message{Type: typeAck, Payload: binary.BigEndian.AppendUint32(nil, uint32(c.r.read))})
}

// setDataFrame prefixes onMetaData when a publisher sends it, as
// nginx-rtmp and FMLE expect (the server strips it for players).
var setDataFrame = []byte{0x02, 0x00, 0x0d, '@', 's', 'e', 't', 'D', 'a', 't', 'a', 'F', 'r', 'a', 'm', 'e'}

// WriteTag publishes one FLV tag: its type, its timestamp in ms and its
// body (an flv.Muxer's tag data). Script tags (onMetaData) go as
// @setDataFrame. It fails once the server has closed the stream.
func (c *Conn) WriteTag(typ flv.TagType, timestamp uint32, data []byte) error {
	select {
	case err := <-c.drainErr:
		c.drainErr <- err
		return fmt.Errorf("rtmp: the server ended the publish: %w", err)
	default:
	}
	m := message{Timestamp: timestamp, StreamID: c.streamID, Payload: data}
	csid := uint8(csidVideo)
	switch typ {
	case flv.TagTypeAudio:
		m.Type, csid = typeAudio, csidAudio
	case flv.TagTypeVideo:
		m.Type = typeVideo
	case flv.TagTypeScript:
		m.Type, csid = typeDataAMF0, csidData
		m.Payload = append(append([]byte(nil), setDataFrame...), data...)
	default:
		return fmt.Errorf("rtmp: tag type %v cannot be published", typ)
	}
	return c.send(csid, m)
}

// SetWriteDeadline bounds the WriteTag calls that follow.
func (c *Conn) SetWriteDeadline(t time.Time) error { return c.nc.SetWriteDeadline(t) }

// SetReadDeadline bounds the ReadTag calls that follow.
func (c *Conn) SetReadDeadline(t time.Time) error { return c.nc.SetReadDeadline(t) }

// drain reads what the server sends a publisher (acknowledgements,
// pings, a status) until the connection ends, and returns why.
func (c *Conn) drain() error {
	for {
		m, err := c.next()
		if err != nil {
			return err
		}
		if m.Type == typeCommandAMF0 {
			vals, _ := flv.DecodeAMF0(m.Payload)
			info, _ := arg(vals, 3).(flv.Object)
			if level, _ := getString(info, "level"); level == "error" {
				code, _ := getString(info, "code")
				return fmt.Errorf("%w: %s", ErrRefused, code)
			}
		}
	}
}

// ReadTag returns the next media tag a player receives; its Data is
// valid until the next call. It returns io.EOF when the publisher has
// stopped (Stream EOF, or NetStream.Play.UnpublishNotify).
func (c *Conn) ReadTag() (flv.Tag, error) {
	for {
		if len(c.pending) > 0 {
			t := c.pending[0]
			c.pending = c.pending[1:]
			return t, nil
		}
		m, err := c.next()
		if err != nil {
			return flv.Tag{}, err
		}
		switch m.Type {
		case typeAudio, typeVideo, typeDataAMF0:
			return flv.Tag{Type: flv.TagType(m.Type), Timestamp: m.Timestamp, Data: m.Payload}, nil
		case typeAggregate:
			if c.pending, err = splitAggregate(m); err != nil {
				return flv.Tag{}, err
			}
		case typeUserControl: // Stream EOF
			return flv.Tag{}, io.EOF
		case typeCommandAMF0:
			vals, _ := flv.DecodeAMF0(m.Payload)
			info, _ := arg(vals, 3).(flv.Object)
			switch code, _ := getString(info, "code"); code {
			case "NetStream.Play.UnpublishNotify", "NetStream.Play.Stop":
				return flv.Tag{}, io.EOF
			}
		}
	}
}

// splitAggregate takes an aggregate message apart (spec 7.1.6): FLV tags
// back to back, each followed by its back pointer, timestamps made
// relative to the message's.
func splitAggregate(m message) ([]flv.Tag, error) {
	var tags []flv.Tag
	p := m.Payload
	var base uint32
	for i := 0; len(p) > 0; i++ {
		if len(p) < 11 {
			return nil, fmt.Errorf("%w: aggregate: %d stray bytes", ErrBadChunk, len(p))
		}
		n := int(get24(p[1:]))
		ts := get24(p[4:]) | uint32(p[7])<<24
		if len(p) < 11+n+4 {
			return nil, fmt.Errorf("%w: aggregate: a %d-byte tag in %d bytes", ErrBadChunk, n, len(p))
		}
		if i == 0 {
			base = ts
		}
		switch typ := p[0] & 0x1f; typ {
		case typeAudio, typeVideo, typeDataAMF0:
			tags = append(tags, flv.Tag{Type: flv.TagType(typ), Timestamp: m.Timestamp + ts - base, Data: p[11 : 11+n]})
		}
		p = p[11+n+4:]
	}
	return tags, nil
}

// Close ends the connection.
func (c *Conn) Close() error {
	var err error
	c.closeOnce.Do(func() { err = c.nc.Close() })
	return err
}

// arg returns vals[i], or nil.
func arg(vals []any, i int) any {
	if i < len(vals) {
		return vals[i]
	}
	return nil
}

// getString returns the string property name of o.
func getString(o flv.Object, name string) (string, bool) {
	v, _ := o.Get(name)
	s, ok := v.(string)
	return s, ok
}
