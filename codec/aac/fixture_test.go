package aac

import (
	"os"
	"testing"
)

// TestDecodeOtherEncoders decodes streams from another encoder than
// ffmpeg's: testdata/voaacenc_*.aac were made by the VisualOn encoder
// (Android's former software AAC encoder, via GStreamer's voaacenc) from
// ffmpeg's pink-noise speech stand-in (16 kHz mono) and a stereo click
// train (44.1 kHz). Our decode must match ffmpeg's decode of the same
// bits.
func TestDecodeOtherEncoders(t *testing.T) {
	tests := []struct {
		file string
		want func(s toolStats) bool
	}{
		{"testdata/voaacenc_16k_mono_32k.aac", func(s toolStats) bool { return s.frames > 0 }},
		{"testdata/voaacenc_44k_stereo_96k.aac", func(s toolStats) bool { return s.short > 0 && s.ms > 0 }},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			adts, err := os.ReadFile(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			ours, dec := decodeADTS(t, adts)
			theirs := ffmpegDecode(t, adts)
			v := snr(theirs, ours, 0)
			t.Logf("%s: tools %+v; SNR vs ffmpeg decode %.1f dB", tt.file, dec.stats, v)
			if len(ours) != len(theirs) || v < 60 {
				t.Errorf("%d samples vs ffmpeg's %d, SNR %.1f dB < 60", len(ours), len(theirs), v)
			}
			if !tt.want(dec.stats) {
				t.Errorf("tools not exercised: %+v", dec.stats)
			}
		})
	}
}
