//go:build linux && x264 && cgo

package capture

import (
	"strings"
	"testing"
)

// TestV4L2X264: a raw YUYV camera encoded by libx264 in process (run
// with -tags x264). The generated pictures change every frame; bit rate
// changes and key frame requests are taken between pictures.
func TestV4L2X264(t *testing.T) {
	r := newRig(t, "v4l2:/dev/video0?width=640&height=480&fps=30&format=yuyv&encoder=x264&bitrate=800k&gop=30&stats=1s")
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
