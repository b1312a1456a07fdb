package flv

import (
	"bytes"
	"testing"
)

func TestTagTypeString(t *testing.T) {
	tests := []struct {
		typ  TagType
		want string
	}{
		{TagTypeAudio, "audio"},
		{TagTypeVideo, "video"},
		{TagTypeScript, "script"},
		{0, "TagType(0)"},
		{31, "TagType(31)"},
	}
	for _, tt := range tests {
		if got := tt.typ.String(); got != tt.want {
			t.Errorf("TagType(%d).String() = %q, want %q", tt.typ, got, tt.want)
		}
	}
}

func TestAppendTag(t *testing.T) {
	tests := []struct {
		name string
		typ  TagType
		ts   uint32
		data []byte
		want []byte
	}{
		{"empty", TagTypeScript, 0, nil, []byte{
			18, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
			0, 0, 0, 11}},
		{"video", TagTypeVideo, 0x123456, []byte{0x17, 1}, []byte{
			9, 0, 0, 2, 0x12, 0x34, 0x56, 0x00, 0, 0, 0,
			0x17, 1,
			0, 0, 0, 13}},
		{"24-bit max", TagTypeAudio, 0xffffff, []byte{0xaf}, []byte{
			8, 0, 0, 1, 0xff, 0xff, 0xff, 0x00, 0, 0, 0,
			0xaf,
			0, 0, 0, 12}},
		{"extended timestamp", TagTypeAudio, 0x01000000, []byte{0xaf}, []byte{
			8, 0, 0, 1, 0x00, 0x00, 0x00, 0x01, 0, 0, 0,
			0xaf,
			0, 0, 0, 12}},
		{"all 32 bits", TagTypeVideo, 0xdeadbeef, []byte{1, 2, 3}, []byte{
			9, 0, 0, 3, 0xad, 0xbe, 0xef, 0xde, 0, 0, 0,
			1, 2, 3,
			0, 0, 0, 14}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AppendTag([]byte{0xee}, tt.typ, tt.ts, tt.data)
			if !bytes.Equal(got, append([]byte{0xee}, tt.want...)) {
				t.Fatalf("AppendTag:\n got % x\nwant ee % x", got, tt.want)
			}
			// The demuxer reads it back.
			stream := append(Header{}.AppendTo(nil), got[1:]...)
			_, tags := demuxAll(t, stream)
			if len(tags) != 1 || tags[0].Type != tt.typ || tags[0].Timestamp != tt.ts || !bytes.Equal(tags[0].Data, tt.data) {
				t.Errorf("read back %+v", tags)
			}
		})
	}
}

func TestAppendTagTooLarge(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("AppendTag with 16 MiB of data did not panic")
		}
	}()
	AppendTag(nil, TagTypeVideo, 0, make([]byte, MaxTagDataSize+1))
}
