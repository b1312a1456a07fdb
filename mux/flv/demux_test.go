package flv

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestDemuxerReadHeader(t *testing.T) {
	withOffset := func(off byte, extra ...byte) []byte {
		return append([]byte{'F', 'L', 'V', 1, 5, 0, 0, 0, off}, extra...)
	}
	tests := []struct {
		name    string
		in      []byte
		want    Header
		wantErr string // "" for success
		wantIs  error
	}{
		{"audio and video", Header{HasAudio: true, HasVideo: true}.AppendTo(nil), Header{HasAudio: true, HasVideo: true}, "", nil},
		{"audio only", Header{HasAudio: true}.AppendTo(nil), Header{HasAudio: true}, "", nil},
		{"no flags", Header{}.AppendTo(nil), Header{}, "", nil},
		{"reserved flag bits", []byte{'F', 'L', 'V', 1, 0xfa, 0, 0, 0, 9, 0, 0, 0, 0}, Header{}, "", nil},
		{"extra header bytes", withOffset(12, 0xaa, 0xbb, 0xcc, 0, 0, 0, 0), Header{HasAudio: true, HasVideo: true}, "", nil},
		{"empty", nil, Header{}, "EOF", io.EOF},
		{"truncated", []byte("FLV\x01"), Header{}, "flv: header: unexpected EOF", io.ErrUnexpectedEOF},
		{"no PreviousTagSize0", withOffset(9, 0, 0), Header{}, "PreviousTagSize0: unexpected EOF", io.ErrUnexpectedEOF},
		{"extra bytes missing", withOffset(20, 1, 2), Header{}, "flv: header: unexpected EOF", io.ErrUnexpectedEOF},
		{"bad signature", []byte("FLX\x01\x05\x00\x00\x00\x09\x00\x00\x00\x00"), Header{}, `bad signature "FLX"`, nil},
		{"not FLV at all", []byte("<html><body>404</body></html>"), Header{}, "bad signature", nil},
		{"version 2", []byte("FLV\x02\x05\x00\x00\x00\x09\x00\x00\x00\x00"), Header{}, "version 2, want 1", nil},
		{"offset too small", withOffset(8, 0, 0, 0, 0), Header{}, "data offset 8 outside [9, 4096]", nil},
		{"offset too large", []byte("FLV\x01\x05\x7f\xff\xff\xff"), Header{}, "data offset 2147483647 outside", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewDemuxer(bytes.NewReader(tt.in))
			got, err := d.ReadHeader()
			if tt.wantErr == "" {
				if err != nil || got != tt.want {
					t.Fatalf("ReadHeader = %+v, %v; want %+v", got, err, tt.want)
				}
				if _, err := d.ReadTag(); err != io.EOF {
					t.Errorf("ReadTag after a bare header: %v, want io.EOF", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("ReadHeader: %v, want an error with %q", err, tt.wantErr)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("ReadHeader: %v is not %v", err, tt.wantIs)
			}
			if _, err2 := d.ReadTag(); err2 == nil {
				t.Errorf("ReadTag after a failed ReadHeader succeeded")
			}
		})
	}
}

func TestDemuxerReadTag(t *testing.T) {
	head := Header{HasAudio: true, HasVideo: true}.AppendTo(nil)
	tag := AppendTag(nil, TagTypeVideo, 40, []byte{0x17, 1, 0, 0, 0, 0xaa})
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	tests := []struct {
		name     string
		in       []byte
		max      int // MaxTagSize; 0 for the default
		tags     int // tags read before the error
		wantIs   error
		wantErr  string
		badPrevs int
	}{
		{"clean EOF", cat(head, tag, tag), 0, 2, io.EOF, "EOF", 0},
		{"EOF without the last PreviousTagSize", cat(head, tag, tag[:len(tag)-4]), 0, 2, io.EOF, "EOF", 0},
		{"partial PreviousTagSize", cat(head, tag, tag[:len(tag)-2]), 0, 2, io.ErrUnexpectedEOF, "flv: tag header: unexpected EOF", 0},
		{"truncated tag header", cat(head, tag, tag[:5]), 0, 1, io.ErrUnexpectedEOF, "flv: tag header: unexpected EOF", 0},
		{"truncated tag data", cat(head, tag, tag[:13]), 0, 1, io.ErrUnexpectedEOF, "flv: video tag data: unexpected EOF", 0},
		{"tag too large", cat(head, tag, AppendTag(nil, TagTypeAudio, 0, make([]byte, 101))), 100, 1, ErrTagTooLarge, "audio tag of 101 bytes, limit 100", 0},
		{"largest tag allowed", cat(head, AppendTag(nil, TagTypeAudio, 0, make([]byte, 100))), 100, 1, io.EOF, "EOF", 0},
		{"declared size far too large", cat(head, []byte{9, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0}), 0, 0, ErrTagTooLarge, "16777215 bytes", 0},
		{"encrypted", cat(head, tag, []byte{0x29}, tag[1:]), 0, 1, ErrEncrypted, "filtered", 0},
		{"bad PreviousTagSize is counted", cat(head[:9], []byte{1, 2, 3, 4}, tag[:len(tag)-4], []byte{9, 9, 9, 9}, tag), 0, 2, io.EOF, "EOF", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewDemuxer(bytes.NewReader(tt.in))
			if tt.max != 0 {
				d.MaxTagSize = tt.max
			}
			if _, err := d.ReadHeader(); err != nil {
				t.Fatal(err)
			}
			n := 0
			var err error
			for {
				if _, err = d.ReadTag(); err != nil {
					break
				}
				n++
			}
			if n != tt.tags {
				t.Errorf("read %d tags, want %d", n, tt.tags)
			}
			if !errors.Is(err, tt.wantIs) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ReadTag: %v, want %v with %q", err, tt.wantIs, tt.wantErr)
			}
			if tt.wantIs == io.EOF && err != io.EOF {
				t.Errorf("end of stream is %#v, want io.EOF itself", err)
			}
			if _, again := d.ReadTag(); again != err {
				t.Errorf("ReadTag after the error: %v, want %v again", again, err)
			}
			if d.BadPrevSizes != tt.badPrevs {
				t.Errorf("BadPrevSizes = %d, want %d", d.BadPrevSizes, tt.badPrevs)
			}
		})
	}
}

func TestDemuxerTagFields(t *testing.T) {
	stream := Header{HasAudio: true}.AppendTo(nil)
	stream = AppendTag(stream, TagTypeAudio, 0xfedcba98, []byte{0xaf, 1, 2}) // a wall-clock timestamp
	stream = AppendTag(stream, 17, 5, nil)                                   // unknown type
	odd := AppendTag(nil, TagTypeScript, 7, []byte{5})
	odd[0] |= 0xc0                             // reserved bits
	odd[8], odd[9], odd[10] = 0x00, 0x01, 0x02 // a non-zero stream ID
	stream = append(stream, odd...)
	want := []Tag{
		{Type: TagTypeAudio, Timestamp: 0xfedcba98, Data: []byte{0xaf, 1, 2}},
		{Type: 17, Timestamp: 5, Data: []byte{}},
		{Type: TagTypeScript, Timestamp: 7, StreamID: 0x0102, Data: []byte{5}},
	}
	_, tags := demuxAll(t, stream)
	if len(tags) != len(want) {
		t.Fatalf("%d tags, want %d", len(tags), len(want))
	}
	for i := range want {
		g, w := tags[i], want[i]
		if g.Type != w.Type || g.Timestamp != w.Timestamp || g.StreamID != w.StreamID || !bytes.Equal(g.Data, w.Data) {
			t.Errorf("tag %d = %+v, want %+v", i, g, w)
		}
	}
}

func TestDemuxerLargeTagsAndShortReads(t *testing.T) {
	sizes := []int{10, 300 << 10, 5, 1 << 20, 70 << 10}
	stream := Header{HasVideo: true}.AppendTo(nil)
	for i, n := range sizes {
		stream = AppendTag(stream, TagTypeVideo, uint32(i), bytes.Repeat([]byte{byte(i + 1)}, n))
	}
	for _, r := range []struct {
		name string
		r    io.Reader
	}{
		{"whole", bytes.NewReader(stream)},
		{"half reads", iotest.HalfReader(bytes.NewReader(stream))},
		{"data errors", iotest.DataErrReader(bytes.NewReader(stream))},
	} {
		t.Run(r.name, func(t *testing.T) {
			d := NewDemuxer(r.r)
			if _, err := d.ReadHeader(); err != nil {
				t.Fatal(err)
			}
			for i, n := range sizes {
				tag, err := d.ReadTag()
				if err != nil {
					t.Fatalf("tag %d: %v", i, err)
				}
				if !bytes.Equal(tag.Data, bytes.Repeat([]byte{byte(i + 1)}, n)) {
					t.Fatalf("tag %d: wrong data of %d bytes", i, len(tag.Data))
				}
			}
			if _, err := d.ReadTag(); err != io.EOF {
				t.Fatalf("after the last tag: %v", err)
			}
		})
	}
}

func TestDemuxerTruncatedHugeTagAllocatesLittle(t *testing.T) {
	// A tag that declares 4 MiB but ends at once must not cost 4 MiB.
	stream := Header{HasVideo: true}.AppendTo(nil)
	stream = append(stream, 9, 0x3f, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3)
	d := NewDemuxer(bytes.NewReader(stream))
	if _, err := d.ReadHeader(); err != nil {
		t.Fatal(err)
	}
	if _, err := d.ReadTag(); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("ReadTag: %v, want io.ErrUnexpectedEOF", err)
	}
	if c := cap(d.buf); c > readChunk {
		t.Errorf("buffer grew to %d bytes for 3 bytes of data", c)
	}
}

func TestDemuxerCallOrder(t *testing.T) {
	stream := Header{}.AppendTo(nil)
	d := NewDemuxer(bytes.NewReader(stream))
	if _, err := d.ReadTag(); err == nil || !strings.Contains(err.Error(), "before ReadHeader") {
		t.Errorf("ReadTag first: %v", err)
	}
	if _, err := d.ReadHeader(); err != nil {
		t.Fatal(err)
	}
	if _, err := d.ReadHeader(); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("ReadHeader twice: %v", err)
	}
}

func TestDemuxerReusesBuffer(t *testing.T) {
	info := testVideoInfo(640, 360)
	stream := muxAll(t, MuxerConfig{HasVideo: true}, videoFrame(info, 0, true), videoFrame(info, ms(40), false), videoFrame(info, ms(80), false))
	d := NewDemuxer(bytes.NewReader(stream))
	if _, err := d.ReadHeader(); err != nil {
		t.Fatal(err)
	}
	for range 3 { // metadata, sequence header, keyframe: the buffer reaches its size
		if _, err := d.ReadTag(); err != nil {
			t.Fatal(err)
		}
	}
	allocs := testing.AllocsPerRun(1, func() {
		if _, err := d.ReadTag(); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per tag, want 0", allocs)
	}
}
