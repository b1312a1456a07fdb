package agent

import (
	"fmt"
	"strings"
	"testing"

	"github.com/p2pcam/p2pcam/board"
	"github.com/p2pcam/p2pcam/media"
)

// TestMotionSourceFor: what the motion detector looks at, by board,
// streams and events.motion.
func TestMotionSourceFor(t *testing.T) {
	const raw = "v4l2:/dev/video0?format=yuyv&width=640&height=360&fps=25&encoder=x264"
	for _, tc := range []struct {
		name    string
		board   string
		streams map[media.Quality]string
		mode    string
		sim     bool
		camera  string // the spec's device and size, when a camera
		err     string
	}{
		{name: "sim by default", board: "sim", streams: map[media.Quality]string{media.QualityHigh: "sim:high"}, sim: true},
		{name: "sim on", board: "sim", streams: map[media.Quality]string{media.QualityHigh: "sim:high"}, mode: "on", sim: true},
		{name: "sim off", board: "sim", streams: map[media.Quality]string{media.QualityHigh: "sim:high"}, mode: "off"},
		{name: "raw camera by default: off", board: "qemu-virt", streams: map[media.Quality]string{media.QualityHigh: raw}},
		{name: "raw camera on: the lowest quality's", board: "qemu-virt", mode: "on", camera: "/dev/video0 640x360",
			streams: map[media.Quality]string{media.QualityHigh: "v4l2:/dev/video2?encoder=x264", media.QualityStandard: raw + "&scale=320x180"}},
		{name: "H.264 camera first, raw one next", board: "rpi4", mode: "on", camera: "/dev/video0 640x360",
			streams: map[media.Quality]string{media.QualityStandard: "v4l2:/dev/video1?format=h264", media.QualityHigh: raw}},
		{name: "H.264 cameras only", board: "uvc", mode: "on", streams: map[media.Quality]string{media.QualityHigh: "v4l2:/dev/video0?format=h264"},
			err: `events.motion = "on" on board uvc: its cameras (high) encode H.264 themselves`},
		{name: "no camera", board: "rpi4", mode: "on", streams: map[media.Quality]string{media.QualitySuper: "exec:rpicam-vid -o -"},
			err: "none of its streams comes from a V4L2 camera"},
		{name: "bad spec", board: "rpi4", mode: "on", streams: map[media.Quality]string{media.QualitySuper: "v4l2:video0"},
			err: "not a clean absolute path"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := &Agent{board: board.Profile{Name: tc.board, Streams: tc.streams}}
			a.cfg.Events.Motion = tc.mode
			src, err := a.motionSourceFor()
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("motionSourceFor = %+v, %v; want an error mentioning %q", src, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case !tc.sim && tc.camera == "":
				if src != nil {
					t.Errorf("motionSourceFor = %+v, want none", src)
				}
			case tc.sim:
				if src == nil || !src.sim {
					t.Errorf("motionSourceFor = %+v, want the sim scene", src)
				}
			default:
				if src == nil || src.sim {
					t.Fatalf("motionSourceFor = %+v, want a camera", src)
				}
				if got := fmt.Sprintf("%s %dx%d", src.camera.Device, src.camera.Width, src.camera.Height); got != tc.camera {
					t.Errorf("camera %s, want %s", got, tc.camera)
				}
			}
		})
	}
}
