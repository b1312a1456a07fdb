//go:build linux

package v4l2_test

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/p2pcam/p2pcam/capture/v4l2"
	"github.com/p2pcam/p2pcam/capture/v4l2/v4l2test"
)

// fakeSystem lays out a /dev and a sysfs class directory in a temporary
// directory, with fake devices behind some of the nodes.
func fakeSystem(t *testing.T) v4l2.Scanner {
	t.Helper()
	root := t.TempDir()
	dev, class := filepath.Join(root, "dev"), filepath.Join(root, "class")
	k := v4l2test.NewKernel()
	decoder := v4l2test.NewEncoder()
	decoder.Card = "bcm2835-codec-decode"
	for i := range decoder.Formats {
		f := &decoder.Formats[i]
		f.Type = map[v4l2.BufType]v4l2.BufType{v4l2.VideoOutputMPlane: v4l2.VideoCaptureMPlane, v4l2.VideoCaptureMPlane: v4l2.VideoOutputMPlane}[f.Type]
	}
	meta := v4l2test.NewCamera()
	meta.Caps = v4l2.CapMetaCapture | v4l2.CapStreaming
	devices := map[string]*v4l2test.Device{
		"video0":  v4l2test.NewCamera(),
		"video1":  meta,
		"video10": decoder,
		"video11": v4l2test.NewEncoder(),
	}
	for _, n := range []string{"video0", "video1", "video2", "video10", "video11", "vbi0", "video", "videoX"} {
		if err := os.MkdirAll(filepath.Join(class, n), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(dev, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dev, n), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(class, n, "name"), []byte("sysfs "+n+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if d := devices[n]; d != nil {
			k.Add(filepath.Join(dev, n), d)
		}
	}
	return v4l2.Scanner{Sys: k, Dev: dev, Class: class}
}

func TestList(t *testing.T) {
	s := fakeSystem(t)
	infos, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		node    string
		kind    v4l2.Kind
		formats int
		err     error
	}{
		{"video0", v4l2.KindCamera, 2, nil},
		{"video1", v4l2.KindOther, 0, nil},
		{"video2", v4l2.KindOther, 0, fs.ErrNotExist},
		{"video10", v4l2.KindDecoder, 3, nil},
		{"video11", v4l2.KindEncoder, 3, nil},
	}
	if len(infos) != len(tests) {
		t.Fatalf("listed %d devices, want %d", len(infos), len(tests))
	}
	for i, tc := range tests {
		got := infos[i]
		if filepath.Base(got.Path) != tc.node || got.Name != "sysfs "+tc.node {
			t.Errorf("device %d: %s named %q", i, got.Path, got.Name)
		}
		if got.Kind != tc.kind || len(got.Formats) != tc.formats || !errors.Is(got.Err, tc.err) {
			t.Errorf("%s: kind %v, %d formats, err %v; want %v, %d, %v", tc.node, got.Kind, len(got.Formats), got.Err, tc.kind, tc.formats, tc.err)
		}
	}
	cam := infos[0]
	yuyv := cam.Formats[0]
	if yuyv.PixelFormat != v4l2.PixFmtYUYV || len(yuyv.Sizes) != 2 || len(yuyv.Sizes[0].Intervals) != 2 {
		t.Errorf("camera YUYV: %+v", yuyv)
	}
	if len(cam.Controls) != 7 {
		t.Errorf("camera has %d controls", len(cam.Controls))
	}
}

func TestDescribe(t *testing.T) {
	infos, err := fakeSystem(t).List()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := v4l2.Describe(&b, infos); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"/video0: Fake UVC Camera (camera)\n",
		"  driver uvcvideo 6.1.0, bus usb-0000:00:14.0-1\n",
		"  capabilities: video-capture, ext-pix-format, streaming\n",
		"  formats (video-capture):\n",
		"    YUYV  YUYV 4:2:2\n",
		"      640x480      30, 15 fps\n",
		"    H264  H.264, compressed\n",
		"    [User Controls]\n",
		"    Brightness                       0x00980900 (int) min=0 max=255 step=1 default=128 value=128\n",
		"      0=Disabled, 1=50 Hz, 2=60 Hz\n",
		"/video2: sysfs video2\n  error: v4l2: open ",
		"/video10: bcm2835-codec-decode (decoder (M2M))\n",
		"/video11: bcm2835-codec-encode (encoder (M2M))\n",
		"  formats (video-output-mplane):\n    YU12  Planar YUV 4:2:0\n      32x32-1920x1920/2x2\n",
		"  formats (video-capture-mplane):\n    H264  H.264, compressed\n",
		"    Force Key Frame                  0x009909e5 (button)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
	b.Reset()
	if err := v4l2.Describe(&b, nil); err != nil || b.String() != "no V4L2 devices found\n" {
		t.Errorf("no devices: %q, %v", b.String(), err)
	}
}

func TestListMissingDir(t *testing.T) {
	s := v4l2.Scanner{Sys: v4l2test.NewKernel(), Dev: filepath.Join(t.TempDir(), "nope")}
	if _, err := s.List(); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v", err)
	}
}
