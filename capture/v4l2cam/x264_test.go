//go:build linux && x264 && cgo

package v4l2cam

import (
	"strings"
	"testing"
	"time"
)

// TestV4L2X264: a raw YUYV camera encoded by libx264 in process (run
// with -tags x264). The generated pictures change every frame; bit rate
// changes and key frame requests are taken between pictures.
func TestV4L2X264(t *testing.T) {
	r := newRig(t, "v4l2:/dev/video0?width=640&height=480&fps=30&format=yuyv&encoder=x264&bitrate=800k&gop=30&stats=1s")
	// About as fast as x264 encodes here: the camera runs free and its
	// pictures are copied whether or not the encoder takes them.
	r.cam.FrameInterval = 10 * time.Millisecond
	run := r.start(t)
	run.wait(t, 10)
	if err := r.src.SetBitrate(400_000); err != nil {
		t.Fatal(err)
	}
	if err := r.src.ForceKeyframe(); err != nil {
		t.Fatal(err)
	}
	frames := run.wait(t, 40)
	run.stop(t)
	checkFrames(t, frames, 3, 640, 480)
	keys := 0
	for _, f := range frames[10:25] {
		if f.Key {
			keys++
		}
	}
	if keys == 0 {
		t.Error("no keyframe soon after ForceKeyframe")
	}
	logs := r.logs.String()
	for _, want := range []string{"encoder=x264", "bitrate=800000", `msg=frame`, "encode="} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
}

// TestV4L2SharedX264: three qualities from one raw camera, each encoded
// by libx264 on its own goroutine: the camera's 640x480, and two
// sub-streams scaled in p2pcamd, at 2:1 and at a ratio that is not a
// whole number. ffprobe and ffmpeg check each stream at its size. The
// camera opens once; stopping the main stream leaves the others
// running; it closes with the last.
func TestV4L2SharedX264(t *testing.T) {
	r := newSharedRig(t)
	r.cam.FrameInterval = 20 * time.Millisecond
	const camera = "v4l2:/dev/video0?format=yuyv&width=640&height=480&fps=30&encoder=x264&gop=10&stats=off"
	high := r.watch(t, "high", r.source(t, camera+"&bitrate=800k"))
	highFrames := high.frames(t, 15)
	std := r.watch(t, "standard", r.source(t, camera+"&bitrate=300k&scale=320x240"))
	low := r.watch(t, "low", r.source(t, camera+"&bitrate=200k&scale=424x318"))
	stdFrames, lowFrames := std.frames(t, 25), low.frames(t, 25)
	highFrames = append(highFrames, high.frames(t, 15)...)
	checkFrames(t, highFrames, 2, 640, 480)
	checkFrames(t, stdFrames, 2, 320, 240)
	checkFrames(t, lowFrames, 2, 424, 318)
	if n := count(r.cam, "open"); n != 1 {
		t.Errorf("camera opened %d times for three streams, want once", n)
	}
	high.stop()
	std.frames(t, 10)
	low.frames(t, 10)
	if n := count(r.cam, "close"); n != 0 {
		t.Errorf("camera closed while two streams run")
	}
	std.stop()
	low.stop()
	if n := count(r.cam, "close"); n != 1 {
		t.Errorf("camera closed %d times after the last stream stopped, want once", n)
	}
	if logs := r.logs.String(); !strings.Contains(logs, "encoder=x264 bitrate=200000 gop=10 scale=424x318") {
		t.Errorf("log lacks the scaled stream's capturing line:\n%s", logs)
	}
}
