package flv

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseVideoData(t *testing.T) {
	tests := []struct {
		name    string
		in      []byte
		want    VideoData
		wantErr string
	}{
		{"AVC sequence header", []byte{0x17, 0, 0, 0, 0, 1, 2}, VideoData{FrameType: 1, CodecID: 7, Payload: []byte{1, 2}}, ""},
		{"AVC inter NALU", []byte{0x27, 1, 0, 0, 40, 9}, VideoData{FrameType: 2, CodecID: 7, AVCPacketType: 1, CompositionTime: 40, Payload: []byte{9}}, ""},
		{"negative composition time", []byte{0x27, 1, 0xff, 0xff, 0xd8}, VideoData{FrameType: 2, CodecID: 7, AVCPacketType: 1, CompositionTime: -40, Payload: []byte{}}, ""},
		{"most negative", []byte{0x27, 1, 0x80, 0, 0}, VideoData{FrameType: 2, CodecID: 7, AVCPacketType: 1, CompositionTime: -1 << 23, Payload: []byte{}}, ""},
		{"most positive", []byte{0x27, 1, 0x7f, 0xff, 0xff}, VideoData{FrameType: 2, CodecID: 7, AVCPacketType: 1, CompositionTime: 1<<23 - 1, Payload: []byte{}}, ""},
		{"other codec", []byte{0x22, 5, 6}, VideoData{FrameType: 2, CodecID: 2, Payload: []byte{5, 6}}, ""},
		{"other codec, header only", []byte{0x12}, VideoData{FrameType: 1, CodecID: 2, Payload: []byte{}}, ""},
		{"empty", nil, VideoData{}, "empty"},
		{"short AVC", []byte{0x17, 1, 0, 0}, VideoData{}, "AVC header of 4 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseVideoData(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), "flv: ") || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseVideoData: %v, want an error with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseVideoData = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestParseAudioData(t *testing.T) {
	tests := []struct {
		name    string
		in      []byte
		want    AudioData
		wantErr string
	}{
		{"AAC sequence header", []byte{0xaf, 0, 0x14, 0x08}, AudioData{SoundFormat: 10, SoundRate: 3, SoundSize: 1, SoundType: 1, Payload: []byte{0x14, 0x08}}, ""},
		{"AAC raw", []byte{0xaf, 1, 0x21}, AudioData{SoundFormat: 10, SoundRate: 3, SoundSize: 1, SoundType: 1, AACPacketType: 1, Payload: []byte{0x21}}, ""},
		{"A-law as ffmpeg writes it", []byte{0x72, 0xd5}, AudioData{SoundFormat: 7, SoundSize: 1, Payload: []byte{0xd5}}, ""},
		{"µ-law as ffmpeg writes it", []byte{0x82, 0xff}, AudioData{SoundFormat: 8, SoundSize: 1, Payload: []byte{0xff}}, ""},
		{"MP3 22 kHz 8-bit stereo", []byte{0x29, 1}, AudioData{SoundFormat: 2, SoundRate: 2, SoundType: 1, Payload: []byte{1}}, ""},
		{"empty", nil, AudioData{}, "empty"},
		{"short AAC", []byte{0xaf}, AudioData{}, "AAC header of 1 byte"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseAudioData(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), "flv: ") || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseAudioData: %v, want an error with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseAudioData = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}
