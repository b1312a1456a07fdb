//go:build x264 && cgo

package x264

import (
	"bytes"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/p2pcam/p2pcam/codec/h264"
	"github.com/p2pcam/p2pcam/internal/mediatest"
)

// TestEncode encodes a moving picture and checks the access units: IDR
// with SPS and PPS first and on request, P frames otherwise, a bit rate
// change taken, and ffmpeg decodes the stream cleanly.
func TestEncode(t *testing.T) {
	const w, h = 320, 180
	enc, err := New(Config{Width: w, Height: h, Bitrate: 500_000, KeyframeInterval: 30})
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	pic := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	var stream []byte
	for i := range 40 {
		for y := range h {
			for x := range w {
				pic.Y[y*pic.YStride+x] = byte(x + y + 4*i)
			}
		}
		for j := range pic.Cb {
			pic.Cb[j], pic.Cr[j] = byte(128+i), byte(128-i)
		}
		if i == 20 {
			if err := enc.SetBitrate(250_000); err != nil {
				t.Fatal(err)
			}
		}
		au, err := enc.Encode(pic, i == 10)
		if err != nil {
			t.Fatalf("picture %d: %v", i, err)
		}
		nalus, err := h264.SplitAnnexB(au)
		if err != nil {
			t.Fatalf("picture %d: %v", i, err)
		}
		idr := h264.IsKeyframe(nalus)
		if want := i == 0 || i == 10 || i == 40; idr != want {
			t.Errorf("picture %d: IDR %v, want %v", i, idr, want)
		}
		if idr {
			var sps, pps bool
			for _, n := range nalus {
				sps = sps || h264.TypeOf(n) == h264.NALUTypeSPS
				pps = pps || h264.TypeOf(n) == h264.NALUTypePPS
			}
			if !sps || !pps {
				t.Errorf("picture %d: IDR without SPS and PPS", i)
			}
		}
		stream = append(stream, au...)
	}
	if _, err := enc.Encode(image.NewYCbCr(image.Rect(0, 0, 16, 16), image.YCbCrSubsampleRatio420), false); err == nil {
		t.Error("a picture of the wrong size was encoded")
	}
	ffmpeg := mediatest.Require(t, "ffmpeg")
	path := filepath.Join(t.TempDir(), "x.h264")
	if err := os.WriteFile(path, stream, 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd := exec.Command(ffmpeg, "-v", "error", "-xerror", "-i", path, "-f", "null", "-")
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil || stderr.Len() > 0 {
		t.Fatalf("ffmpeg: %v\n%s", err, stderr.String())
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := enc.Encode(pic, false); err == nil {
		t.Error("encoded after Close")
	}
}
