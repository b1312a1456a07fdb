package rtmp

import "errors"

// Errors.
var (
	// ErrBadURL is a URL that is not rtmp://HOST[:PORT]/APP/NAME[?ARGS].
	ErrBadURL = errors.New("rtmp: bad URL: want rtmp://HOST[:PORT]/APP/NAME[?ARGS]")
	// ErrHandshake is a server whose handshake is not RTMP version 3.
	ErrHandshake = errors.New("rtmp: handshake failed: the server does not speak RTMP version 3")
	// ErrMessageTooLarge is a message longer than MaxMessageSize.
	ErrMessageTooLarge = errors.New("rtmp: message too large")
	// ErrBadChunk is a chunk stream that cannot be parsed: a bad chunk
	// size, or a continuation chunk with no message before it.
	ErrBadChunk = errors.New("rtmp: malformed chunk stream")
	// ErrRefused is a server that refused connect, publish or play: the
	// error text says what it answered (nginx closes the connection when
	// its on_play or on_publish callback refuses).
	ErrRefused = errors.New("rtmp: refused by the server")
)
