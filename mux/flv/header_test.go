package flv

import (
	"bytes"
	"testing"
)

func TestHeaderAppendTo(t *testing.T) {
	tests := []struct {
		h    Header
		want []byte
	}{
		{Header{}, []byte{'F', 'L', 'V', 1, 0x00, 0, 0, 0, 9, 0, 0, 0, 0}},
		{Header{HasVideo: true}, []byte{'F', 'L', 'V', 1, 0x01, 0, 0, 0, 9, 0, 0, 0, 0}},
		{Header{HasAudio: true}, []byte{'F', 'L', 'V', 1, 0x04, 0, 0, 0, 9, 0, 0, 0, 0}},
		{Header{HasAudio: true, HasVideo: true}, []byte{'F', 'L', 'V', 1, 0x05, 0, 0, 0, 9, 0, 0, 0, 0}},
	}
	for _, tt := range tests {
		if got := tt.h.AppendTo([]byte{0xee}); !bytes.Equal(got, append([]byte{0xee}, tt.want...)) {
			t.Errorf("%+v.AppendTo = % x, want ee % x", tt.h, got, tt.want)
		}
	}
}
