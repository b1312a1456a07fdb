package agent

import (
	"errors"
	"io"
	"net"
	"time"
)

// TLS record framing (RFC 8446 section 5.1): a client's first record is a
// handshake record, type 22, whose 5-byte header ends with the length of
// what follows, at most 2^14 bytes.
const (
	tlsHandshakeRecord = 0x16
	tlsRecordHeader    = 5
	tlsMaxRecord       = 1 << 14
)

// tlsDrainWait bounds how long the rest of a ClientHello is waited for.
const tlsDrainWait = time.Second

// tlsRefusal answers a TLS handshake sent to the plain-HTTP LAN port.
// A TLS client reports it as a record that is not TLS ("first record does
// not look like a TLS handshake", "wrong version number"), which is the
// right hint.
const tlsRefusal = "HTTP/1.1 400 Bad Request\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n" +
	"Connection: close\r\n" +
	"Content-Length: 64\r\n" +
	"\r\n" +
	"this camera's LAN mode is plain HTTP: use http://, not https://\n"

// tlsRecordRest reports whether b, the first bytes read from a
// connection, start a TLS handshake record, and if so how many bytes of
// that record are still to come (at most tlsMaxRecord). No HTTP request
// starts with byte 22.
func tlsRecordRest(b []byte) (rest int, ok bool) {
	if len(b) == 0 || b[0] != tlsHandshakeRecord {
		return 0, false
	}
	if len(b) < tlsRecordHeader {
		return tlsMaxRecord, true // the length is still to come: drain what comes
	}
	n := min(int(b[3])<<8|int(b[4]), tlsMaxRecord)
	return max(tlsRecordHeader+n-len(b), 0), true
}

// plainListener answers TLS handshakes at once (see plainConn).
type plainListener struct{ net.Listener }

func (l plainListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &plainConn{Conn: c}, nil
}

// plainConn answers a TLS ClientHello with tlsRefusal and ends the
// connection at once. Left to net/http, a ClientHello without a newline
// byte is held until the header timeout, with no answer.
type plainConn struct {
	net.Conn
	checked bool // the first bytes were checked; read by one goroutine, the server's
}

// Read reads, checking the first bytes for a TLS handshake. It returns
// io.EOF after answering one, so that the server closes the connection
// without answering too.
func (c *plainConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if c.checked || n == 0 {
		return n, err
	}
	c.checked = true
	rest, tls := tlsRecordRest(p[:n])
	if !tls {
		return n, err
	}
	// Read the rest of the ClientHello so that closing does not reset
	// the connection before the client has read the answer.
	_ = c.Conn.SetReadDeadline(time.Now().Add(tlsDrainWait))
	if rest > 0 {
		_, _ = io.CopyN(io.Discard, c.Conn, int64(rest))
	}
	_ = c.Conn.SetWriteDeadline(time.Now().Add(tlsDrainWait))
	if _, werr := io.WriteString(c.Conn, tlsRefusal); werr == nil {
		if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
			_ = cw.CloseWrite()
		}
	}
	return 0, io.EOF
}

// CloseWrite shuts down the writing side, as net/http does before
// closing a connection whose request it refused (a reset would lose the
// answer).
func (c *plainConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return errors.ErrUnsupported
}

// unwrapPlain returns the connection a plainConn wraps.
func unwrapPlain(c net.Conn) net.Conn {
	if pc, ok := c.(*plainConn); ok {
		return pc.Conn
	}
	return c
}
