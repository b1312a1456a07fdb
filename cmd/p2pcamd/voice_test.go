package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/media"
	"github.com/p2pcam/p2pcam/mux/flv"
)

// g711Talk is secs of G.711 A-law silence as FLV, 20 ms a tag.
func g711Talk(t *testing.T, secs float64) []byte {
	var buf bytes.Buffer
	m := flv.NewMuxer(&buf, flv.MuxerConfig{HasAudio: true})
	info := &media.AudioInfo{Codec: media.CodecG711A, SampleRate: 8000, Channels: 1}
	for i := range int(secs * 50) {
		f := &media.Frame{Kind: media.KindAudio, Codec: media.CodecG711A, Key: true, PTS: time.Duration(i) * 20 * time.Millisecond,
			Payload: bytes.Repeat([]byte{0xd5}, 160), Audio: info}
		if err := m.WriteFrame(f); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

// LAN mode checks a talker's body before it answers, and ends a talk
// with what it played and dropped.
func TestLANVoice(t *testing.T) {
	d := startDaemon(t, "")
	talk := g711Talk(t, 0.4)
	// Every answer and every talk here is due within seconds: fail with a
	// message rather than hang.
	client := &http.Client{Timeout: 20 * time.Second}
	tests := []struct {
		name   string
		body   []byte
		code   int
		answer string
	}{
		{"random bytes", []byte("GET / HTTP/1.1 this is not audio at all"), 404, "the body is not FLV"},
		{"truncated header", []byte("FLV\x01"), 404, "ended before an FLV header"},
		{"FLV version 2", append([]byte("FLV\x02\x04\x00\x00\x00\x09"), talk[9:]...), 404, "version 2"},
		{"G.711 talk", talk, 200, `"played_ms":`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := client.Post(d.url("voice?channel=0"), "video/x-flv", bytes.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.code || !strings.Contains(string(b), tt.answer) {
				t.Errorf("%d %s, want %d %q", resp.StatusCode, b, tt.code, tt.answer)
			}
		})
	}

	// A talker that waits for the answer before it speaks is answered
	// after a second, and its talk is played.
	pr, pw := io.Pipe()
	defer pw.Close()
	resp, err := client.Post(d.url("voice?channel=0"), "video/x-flv", pr)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("waiting talker: %s", resp.Status)
	}
	go func() {
		pw.Write(talk)
		pw.Close()
	}()
	var sum struct {
		PlayedMS int64 `json:"played_ms"`
		Error    string
	}
	if err := json.NewDecoder(resp.Body).Decode(&sum); err != nil || sum.PlayedMS < 300 || sum.Error != "" {
		t.Errorf("waiting talker's summary: %+v (%v), want about 400 ms played", sum, err)
	}
}
