package flv

import (
	"bufio"
	"bytes"
	"io"
	"testing"

	"github.com/p2pcam/p2pcam/media"
)

// BenchmarkMuxerWriteFrame muxes 20 kB video frames (a 4 Mbps stream at
// 25 fps). "discard" measures the muxer alone: it never copies a payload.
// "buffered" writes through a 32 KiB bufio.Writer as each LAN viewer does,
// so its MB/s includes copying every byte once.
func BenchmarkMuxerWriteFrame(b *testing.B) {
	b.Run("discard", func(b *testing.B) { benchmarkMuxer(b, io.Discard) })
	b.Run("buffered", func(b *testing.B) { benchmarkMuxer(b, bufio.NewWriterSize(io.Discard, 32<<10)) })
}

func benchmarkMuxer(b *testing.B, w io.Writer) {
	info := testVideoInfo(1280, 720)
	f := &media.Frame{Kind: media.KindVideo, Codec: media.CodecH264, Key: true, Payload: make([]byte, 20<<10), Video: info}
	m := NewMuxer(w, MuxerConfig{HasVideo: true, HasAudio: true})
	if err := m.WriteFrame(f); err != nil {
		b.Fatal(err)
	}
	f.Key = false
	b.SetBytes(int64(len(f.Payload)))
	b.ReportAllocs()
	for b.Loop() {
		f.PTS += ms(40)
		if err := m.WriteFrame(f); err != nil {
			b.Fatal(err)
		}
	}
}

// loopReader serves head once, then body over and over.
type loopReader struct {
	head, body []byte
	off        int
}

func (r *loopReader) Read(p []byte) (int, error) {
	if len(r.head) > 0 {
		n := copy(p, r.head)
		r.head = r.head[n:]
		return n, nil
	}
	n := copy(p, r.body[r.off:])
	r.off = (r.off + n) % len(r.body)
	return n, nil
}

func BenchmarkDemuxerReadTag(b *testing.B) {
	const size = 20 << 10
	head := Header{HasVideo: true}.AppendTo(nil)
	var body []byte
	for i := range 16 {
		body = AppendTag(body, TagTypeVideo, uint32(40*i), bytes.Repeat([]byte{0x27}, size))
	}
	d := NewDemuxer(&loopReader{head: head, body: body})
	if _, err := d.ReadHeader(); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.ReadTag(); err != nil {
			b.Fatal(err)
		}
	}
}
