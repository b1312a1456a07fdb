package record

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/internal/mediatest"
	"github.com/p2pcam/p2pcam/media"
)

// TestWriteMP4 remuxes recorded segments to MP4 and checks them with
// ffprobe and ffmpeg -xerror: the same frames, H.264 and AAC, the
// segment's duration, keyframes where the segment has them.
func TestWriteMP4(t *testing.T) {
	dir := t.TempDir()
	r, clk := newTestRecorder(t, dir, Config{})
	record(t, r, clk, testFrames(t, media.QualityHigh, 10*time.Second))
	r.Close()
	for _, seg := range r.Query(t0, t0.Add(time.Hour)) {
		f, _, err := r.Open(seg.File())
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		err = WriteMP4(&out, f, seg.Size)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "seg.mp4")
		if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		mp4 := mediatest.FFprobe(t, path)
		src := mediatest.FFprobe(t, filepath.Join(dir, seg.File()))
		if v := mp4.Video(t); v.CodecName != "h264" || v.Width != 640 || v.Height != 360 {
			t.Errorf("%s: video %+v", seg.File(), v)
		}
		if a := mp4.Audio(t); a.CodecName != "aac" || a.SampleRate != "16000" {
			t.Errorf("%s: audio %+v", seg.File(), a)
		}
		mv, sv := mp4.VideoPackets(), src.VideoPackets()
		if len(mv) != len(sv) || len(mp4.AudioPackets()) != len(src.AudioPackets()) {
			t.Errorf("%s: %d video and %d audio packets, the segment has %d and %d", seg.File(), len(mv), len(mp4.AudioPackets()), len(sv), len(src.AudioPackets()))
		}
		for i := range min(len(mv), len(sv)) {
			if mv[i].Keyframe() != sv[i].Keyframe() || mv[i].Size != sv[i].Size {
				t.Fatalf("%s: video packet %d is %+v in the MP4, %+v in the segment", seg.File(), i, mv[i], sv[i])
			}
		}
		mediatest.CheckDecodes(t, path)
		// The same bytes every time: a download resumes by offset.
		f, _, _ = r.Open(seg.File())
		var again bytes.Buffer
		WriteMP4(&again, f, seg.Size)
		f.Close()
		if !bytes.Equal(again.Bytes(), out.Bytes()) {
			t.Errorf("%s: a second remux differs", seg.File())
		}
	}
}
