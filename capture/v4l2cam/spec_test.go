package v4l2cam

import (
	"errors"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/board"
	"github.com/p2pcam/p2pcam/capture"
	"github.com/p2pcam/p2pcam/media"
)

// v4l2SpecCases drive TestParseSpec and seed FuzzParseSpec.
var v4l2SpecCases = []struct {
	arg  string
	want Spec
	err  string // a part of the error; "" for success
}{
	{arg: "/dev/video0", want: Spec{Device: "/dev/video0"}},
	{arg: "/dev/video0?width=1280&height=720&fps=30&format=h264",
		want: Spec{Device: "/dev/video0", Width: 1280, Height: 720, FPS: 30, Format: "h264"}},
	{arg: "/dev/video0?format=YUYV&encoder=/dev/video11&bitrate=2M&gop=50&profile=High",
		want: Spec{Device: "/dev/video0", Format: "yuyv", Encoder: "/dev/video11", Bitrate: 2_000_000, GOP: 50, Profile: "high"}},
	{arg: "/dev/video0?width=640&height=360&fps=15&format=yuyv&encoder=x264&bitrate=600k&stats=10s",
		want: Spec{Device: "/dev/video0", Width: 640, Height: 360, FPS: 15, Format: "yuyv", Encoder: "x264", Bitrate: 600_000, Stats: 10 * time.Second}},
	{arg: "/dev/v4l/by-id/usb-cam-video-index0?encoder=x264&fps=29.97&stats=off",
		want: Spec{Device: "/dev/v4l/by-id/usb-cam-video-index0", Encoder: "x264", FPS: 29.97, Stats: -1}},
	{arg: "/dev/video0?format=mjpeg&encoder=x264&bitrate=1500000",
		want: Spec{Device: "/dev/video0", Format: "mjpeg", Encoder: "x264", Bitrate: 1_500_000}},

	{arg: "/dev/video0?format=yuyv&width=1280&height=720&encoder=x264&scale=640x360",
		want: Spec{Device: "/dev/video0", Format: "yuyv", Width: 1280, Height: 720, Encoder: "x264", ScaleWidth: 640, ScaleHeight: 360}},
	{arg: "/dev/video0?encoder=/dev/video11&scale=16x16",
		want: Spec{Device: "/dev/video0", Encoder: "/dev/video11", ScaleWidth: 16, ScaleHeight: 16}},
	{arg: "/dev/video0?format=yuyv&width=640&height=360&encoder=x264&scale=640x360",
		want: Spec{Device: "/dev/video0", Format: "yuyv", Width: 640, Height: 360, Encoder: "x264", ScaleWidth: 640, ScaleHeight: 360}},
	{arg: "/dev/video0?encoder=x264&ctrl.power_line_frequency=50_Hz&ctrl.brightness=-5&ctrl.horizontal_flip=1",
		want: Spec{Device: "/dev/video0", Encoder: "x264", Controls: []Control{{"brightness", "-5"}, {"horizontal_flip", "1"}, {"power_line_frequency", "50_hz"}}}},

	{arg: "video0", err: "not a clean absolute path"},
	{arg: "/dev/video0?ctrl.Brightness=5", err: `control "Brightness"`},
	{arg: "/dev/video0?ctrl.=5", err: `control ""`},
	{arg: "/dev/video0?ctrl.power_line__frequency=1", err: "control"},
	{arg: "/dev/video0?ctrl.brightness=", err: "control brightness value"},
	{arg: "/dev/video0?ctrl.power_line_frequency=50%20Hz", err: "control power_line_frequency value \"50 Hz\""},
	{arg: "/dev/../dev/video0", err: "not a clean absolute path"},
	{arg: "?width=640", err: "not a clean absolute path"},
	{arg: "/dev/video0?width=640", err: "both width and height"},
	{arg: "/dev/video0?width=0&height=480", err: "width"},
	{arg: "/dev/video0?width=abc&height=480", err: "width"},
	{arg: "/dev/video0?fps=-1", err: "fps"},
	{arg: "/dev/video0?fps=NaN", err: "fps"},
	{arg: "/dev/video0?format=rgb", err: "unknown format"},
	{arg: "/dev/video0?format=yuyv", err: "add encoder="},
	{arg: "/dev/video0?format=h264&encoder=x264", err: "drop encoder="},
	{arg: "/dev/video0?encoder=video11", err: "encoder"},
	{arg: "/dev/video0?encoder=x264&bitrate=fast", err: "bitrate"},
	{arg: "/dev/video0?encoder=x264&bitrate=12", err: "bitrate"},
	{arg: "/dev/video0?encoder=x264&gop=0", err: "gop"},
	{arg: "/dev/video0?encoder=x264&profile=high", err: "M2M encoder"},
	{arg: "/dev/video0?encoder=/dev/video11&profile=extended", err: "unknown profile"},
	{arg: "/dev/video0?stats=1ms", err: "stats"},
	{arg: "/dev/video0?fps=30&fps=25", err: "given 2 times"},
	{arg: "/dev/video0?framerate=30", err: `unknown option "framerate"`},
	{arg: "/dev/video0?width=%zz", err: "options"},
	{arg: "/dev/video0?encoder=x264&scale=641x360", err: "even sides"},
	{arg: "/dev/video0?encoder=x264&scale=640", err: "scale"},
	{arg: "/dev/video0?encoder=x264&scale=640x", err: "scale"},
	{arg: "/dev/video0?encoder=x264&scale=8x8", err: "from 16"},
	{arg: "/dev/video0?encoder=x264&scale=-640x360", err: "scale"},
	{arg: "/dev/video0?encoder=x264&scale=20000x360", err: "scale"},
	{arg: "/dev/video0?format=h264&scale=640x360", err: "cannot be scaled"},
	{arg: "/dev/video0?scale=640x360", err: "scale needs raw pictures"},
	{arg: "/dev/video0?format=yuyv&width=640&height=360&encoder=x264&scale=1280x720", err: "scale only shrinks"},
	{arg: "/dev/video0?format=yuyv&width=640&height=360&encoder=x264&scale=640x480", err: "scale only shrinks"},
}

func TestParseSpec(t *testing.T) {
	for _, tc := range v4l2SpecCases {
		got, err := ParseSpec(tc.arg)
		if tc.err != "" {
			if err == nil || !errors.Is(err, capture.ErrBadSpec) || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseSpec(%q) = %v, want an capture.ErrBadSpec mentioning %q", tc.arg, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseSpec(%q) = %+v, %v; want %+v", tc.arg, got, err, tc.want)
			continue
		}
		again, err := ParseSpec(strings.TrimPrefix(got.String(), "v4l2:"))
		if err != nil || !reflect.DeepEqual(again, got) {
			t.Errorf("String %q reads back as %+v, %v", got.String(), again, err)
		}
	}
}

func TestSpecDefaults(t *testing.T) {
	s := Spec{Device: "/dev/video0", Encoder: "x264"}
	if s.bitrate() != DefaultBitrate || s.gop(25) != 50 || s.gop(0) != 60 || s.statsEvery() != time.Minute {
		t.Errorf("defaults: bitrate %d, gop %d/%d, stats %v", s.bitrate(), s.gop(25), s.gop(0), s.statsEvery())
	}
	s.GOP, s.Stats = 10, -1
	if s.gop(25) != 10 || s.statsEvery() != 0 {
		t.Errorf("set: gop %d, stats %v", s.gop(25), s.statsEvery())
	}
}

func FuzzParseSpec(f *testing.F) {
	for _, tc := range v4l2SpecCases {
		f.Add(tc.arg)
	}
	f.Fuzz(func(t *testing.T, arg string) {
		s, err := ParseSpec(arg)
		if err != nil {
			if !errors.Is(err, capture.ErrBadSpec) {
				t.Fatalf("error %v is not capture.ErrBadSpec", err)
			}
			return
		}
		again, err := ParseSpec(strings.TrimPrefix(s.String(), "v4l2:"))
		if err != nil || !reflect.DeepEqual(again, s) {
			t.Fatalf("%q: String %q reads back as %+v, %v; want %+v", arg, s.String(), again, err, s)
		}
	})
}

// TestBoardSpecs: every board profile's v4l2: stream parses, and
// streams that share a camera ask the same of it (else the second to
// start would fail).
func TestBoardSpecs(t *testing.T) {
	n, shared := 0, 0
	for _, name := range board.Names() {
		p, err := board.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		cameras := map[string]Spec{}
		for _, q := range media.Qualities() {
			arg, ok := strings.CutPrefix(p.Streams[q], "v4l2:")
			if !ok {
				continue
			}
			n++
			s, err := ParseSpec(arg)
			if err != nil {
				t.Errorf("board %s, %s: %v", name, q, err)
				continue
			}
			if s.Encoder == "" {
				continue // an H.264 camera: not shared
			}
			if first, ok := cameras[s.Device]; ok {
				shared++
				if !first.sameCamera(s) {
					t.Errorf("board %s, %s asks %s of %s; another stream asks %s", name, q, s.cameraString(), s.Device, first.cameraString())
				}
			} else {
				cameras[s.Device] = s
			}
		}
	}
	t.Logf("%d v4l2 streams in the board profiles, %d of them sharing a camera", n, shared)
	if shared == 0 {
		t.Error("no board shares a camera between qualities (qemu-virt should)")
	}
}

// TestDocumentedSpecs: the v4l2: specs that docs/boards.md and the
// default config show parse, and those naming the same camera in one
// example ask the same of it.
func TestDocumentedSpecs(t *testing.T) {
	quoted := regexp.MustCompile(`"v4l2:([^"]+)"`)
	for _, path := range []string{"../../docs/boards.md", "../../rootfs/etc/p2pcam/p2pcamd.toml"} {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, block := range strings.Split(string(b), "\n\n") { // one example per paragraph or code block
			cameras := map[string]Spec{}
			for _, m := range quoted.FindAllStringSubmatch(block, -1) {
				n++
				s, err := ParseSpec(m[1])
				if err != nil {
					t.Errorf("%s: %v", path, err)
					continue
				}
				if s.Encoder == "" {
					continue // an H.264 camera: not shared
				}
				if first, ok := cameras[s.Device]; ok && !first.sameCamera(s) {
					t.Errorf("%s: %s and %s ask different things of one camera", path, first, s)
				}
				cameras[s.Device] = s
			}
		}
		if n == 0 {
			t.Errorf("%s shows no v4l2: spec", path)
		}
	}
}
