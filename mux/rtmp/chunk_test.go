package rtmp

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// chunkCases drive the round trip test and seed the fuzzer.
var chunkCases = []struct {
	name      string
	chunkSize int
	msgs      []message
}{
	{"one small", 128, []message{{Type: typeCommandAMF0, Timestamp: 0, StreamID: 0, Payload: []byte("hello")}}},
	{"split", 128, []message{{Type: typeVideo, Timestamp: 40, StreamID: 1, Payload: bytes.Repeat([]byte{7}, 1000)}}},
	{"extended timestamp", 100, []message{{Type: typeAudio, Timestamp: 0x1234567, StreamID: 1, Payload: bytes.Repeat([]byte{1}, 250)}}},
	{"empty payload", 128, []message{{Type: typeVideo, Timestamp: 5, StreamID: 1, Payload: []byte{}}}},
	{"several", 4096, []message{
		{Type: typeVideo, Timestamp: 0, StreamID: 1, Payload: bytes.Repeat([]byte{9}, 9000)},
		{Type: typeAudio, Timestamp: 20, StreamID: 1, Payload: []byte{0xaf, 1, 2, 3}},
		{Type: typeVideo, Timestamp: 33, StreamID: 1, Payload: []byte{0x27, 1}},
	}},
}

func encodeCase(chunkSize int, msgs []message) []byte {
	var b []byte
	if chunkSize != defaultChunkSize {
		b = appendMessage(b, csidControl, defaultChunkSize, message{Type: typeSetChunkSize, Payload: []byte{0, 0, byte(chunkSize >> 8), byte(chunkSize)}})
	}
	for _, m := range msgs {
		b = appendMessage(b, csidVideo, chunkSize, m)
	}
	return b
}

func TestChunkRoundTrip(t *testing.T) {
	for _, tc := range chunkCases {
		t.Run(tc.name, func(t *testing.T) {
			r := newChunkReader(bytes.NewReader(encodeCase(tc.chunkSize, tc.msgs)))
			var got []message
			for {
				m, err := r.readMessage()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if m.Type == typeSetChunkSize {
					if err := r.setChunkSize(m.Payload); err != nil {
						t.Fatal(err)
					}
					continue
				}
				m.Payload = append([]byte(nil), m.Payload...)
				got = append(got, m)
			}
			if len(got) != len(tc.msgs) {
				t.Fatalf("got %d messages, want %d", len(got), len(tc.msgs))
			}
			for i, m := range got {
				w := tc.msgs[i]
				if m.Type != w.Type || m.Timestamp != w.Timestamp || m.StreamID != w.StreamID || !bytes.Equal(m.Payload, w.Payload) {
					t.Errorf("message %d = %d/%d/%d/%d bytes, want %d/%d/%d/%d bytes", i, m.Type, m.Timestamp, m.StreamID, len(m.Payload), w.Type, w.Timestamp, w.StreamID, len(w.Payload))
				}
			}
		})
	}
}

func TestChunkReaderRefuses(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"format 3 first", []byte{0xc3}, ErrBadChunk},
		{"too large", []byte{0x03, 0, 0, 0, 0x7f, 0xff, 0xff, 9, 1, 0, 0, 0}, ErrMessageTooLarge},
		{"truncated header", []byte{0x03, 0, 0}, io.ErrUnexpectedEOF},
		{"truncated data", []byte{0x03, 0, 0, 0, 0, 0, 10, 9, 1, 0, 0, 0, 1, 2}, io.ErrUnexpectedEOF},
		{"header inside message", append(append([]byte{0x03, 0, 0, 0, 0, 1, 0, 9, 1, 0, 0, 0}, make([]byte, 128)...), 0x03), ErrBadChunk},
		{"zero chunk size", appendMessage(nil, 2, 128, message{Type: typeSetChunkSize, Payload: []byte{0, 0, 0, 0}}), ErrBadChunk},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newChunkReader(bytes.NewReader(tc.in))
			var err error
			for err == nil {
				var m message
				m, err = r.readMessage()
				if err == nil && m.Type == typeSetChunkSize {
					err = r.setChunkSize(m.Payload)
				}
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

// FuzzChunkReader feeds a server's bytes to the chunk reader and the
// message handling a player does: nothing may panic or allocate beyond
// the limits.
func FuzzChunkReader(f *testing.F) {
	for _, tc := range chunkCases {
		f.Add(encodeCase(tc.chunkSize, tc.msgs))
	}
	f.Add([]byte{0x03, 0, 0, 0, 0, 0, 20, typeAggregate, 1, 0, 0, 0, 9, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 12, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		r := newChunkReader(bytes.NewReader(b))
		for range 1000 {
			m, err := r.readMessage()
			if err != nil {
				return
			}
			if len(m.Payload) > MaxMessageSize {
				t.Fatalf("a %d-byte message", len(m.Payload))
			}
			switch m.Type {
			case typeSetChunkSize:
				_ = r.setChunkSize(m.Payload)
			case typeAbort:
				r.abort(m.Payload)
			case typeAggregate:
				_, _ = splitAggregate(m)
			}
		}
	})
}

func FuzzParseURL(f *testing.F) {
	for _, s := range []string{"rtmp://h/live/x", "rtmp://h:1/a/b?token=t", "http://h/a/b", "rtmp://h/a", "rtmp://u@h/a/b", "rtmp:///a/b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tg, err := ParseURL(s)
		if err == nil && (tg.App == "" || tg.Stream == "" || tg.Addr == "") {
			t.Fatalf("ParseURL(%q) = %+v", s, tg)
		}
	})
}
