//go:build linux

package v4l2_test

import (
	"errors"
	"slices"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/p2pcam/p2pcam/capture/v4l2"
	"github.com/p2pcam/p2pcam/capture/v4l2/v4l2test"
)

func TestFormats(t *testing.T) {
	tests := []struct {
		name string
		dev  *v4l2test.Device
		typ  v4l2.BufType
		want []string // "FOURCC description compressed?"
	}{
		{"camera", v4l2test.NewCamera(), v4l2.VideoCapture, []string{"YUYV YUYV 4:2:2 false", "H264 H.264 true"}},
		{"camera output", v4l2test.NewCamera(), v4l2.VideoOutput, nil},
		{"encoder input", v4l2test.NewEncoder(), v4l2.VideoOutputMPlane, []string{"YU12 Planar YUV 4:2:0 false", "NV12 Y/UV 4:2:0 false"}},
		{"encoder output", v4l2test.NewEncoder(), v4l2.VideoCaptureMPlane, []string{"H264 H.264 true"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs, err := open(t, tc.dev).Formats(tc.typ)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for i, f := range fs {
				if f.Index != i || f.Type != tc.typ {
					t.Errorf("format %d: index %d type %v", i, f.Index, f.Type)
				}
				got = append(got, f.PixelFormat.String()+" "+f.Description+" "+map[bool]string{true: "true", false: "false"}[f.Compressed()])
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("formats = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestFrameSizesAndIntervals(t *testing.T) {
	cam := open(t, v4l2test.NewCamera())
	enc := open(t, v4l2test.NewEncoder())
	tests := []struct {
		name      string
		dev       *v4l2.Device
		pf        v4l2.PixelFormat
		sizes     []string
		w, h      uint32
		intervals []string
	}{
		{"camera YUYV", cam, v4l2.PixFmtYUYV, []string{"640x480", "320x240"}, 640, 480, []string{"30 fps", "15 fps"}},
		{"camera H264", cam, v4l2.PixFmtH264, []string{"1280x720", "640x480"}, 1280, 720, []string{"30 fps"}},
		{"camera size not offered", cam, v4l2.PixFmtYUYV, []string{"640x480", "320x240"}, 800, 600, nil},
		{"camera unknown format", cam, v4l2.PixFmtMJPEG, nil, 640, 480, nil},
		{"encoder stepwise", enc, v4l2.PixFmtH264, []string{"32x32-1920x1920/2x2"}, 1920, 1080, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sizes, err := tc.dev.FrameSizes(tc.pf)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range sizes {
				got = append(got, s.String())
			}
			if !slices.Equal(got, tc.sizes) {
				t.Errorf("sizes = %q, want %q", got, tc.sizes)
			}
			ivs, err := tc.dev.FrameIntervals(tc.pf, tc.w, tc.h)
			if err != nil {
				t.Fatal(err)
			}
			got = nil
			for _, iv := range ivs {
				got = append(got, iv.String())
			}
			if !slices.Equal(got, tc.intervals) {
				t.Errorf("intervals = %q, want %q", got, tc.intervals)
			}
		})
	}
}

func TestSetFormat(t *testing.T) {
	tests := []struct {
		name      string
		dev       *v4l2test.Device
		typ       v4l2.BufType
		pf        v4l2.PixelFormat
		w, h      uint32
		want      string
		bpl, size uint32
		planes    int
	}{
		{"YUYV exact", v4l2test.NewCamera(), v4l2.VideoCapture, v4l2.PixFmtYUYV, 320, 240, "YUYV 320x240", 640, 153600, 1},
		{"YUYV nearest size", v4l2test.NewCamera(), v4l2.VideoCapture, v4l2.PixFmtYUYV, 700, 500, "YUYV 640x480", 1280, 614400, 1},
		{"unsupported format replaced", v4l2test.NewCamera(), v4l2.VideoCapture, v4l2.PixFmtMJPEG, 640, 480, "YUYV 640x480", 1280, 614400, 1},
		{"H264", v4l2test.NewCamera(), v4l2.VideoCapture, v4l2.PixFmtH264, 1920, 1080, "H264 1280x720", 0, 460800, 1},
		{"encoder input rounded", v4l2test.NewEncoder(), v4l2.VideoOutputMPlane, v4l2.PixFmtYUV420, 1283, 721, "YU12 1282x720", 1282, 1384560, 1},
		{"encoder output", v4l2test.NewEncoder(), v4l2.VideoCaptureMPlane, v4l2.PixFmtH264, 1280, 720, "H264 1280x720", 0, 460800, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := open(t, tc.dev)
			tried, err := d.TryFormat(tc.typ, tc.pf, tc.w, tc.h)
			if err != nil {
				t.Fatal(err)
			}
			before, err := d.GetFormat(tc.typ)
			if err != nil {
				t.Fatal(err)
			}
			f, err := d.SetFormat(tc.typ, tc.pf, tc.w, tc.h)
			if err != nil {
				t.Fatal(err)
			}
			if f.String() != tc.want || tried.String() != tc.want {
				t.Errorf("set %v, tried %v, want %s", f, tried, tc.want)
			}
			if len(f.Planes) != tc.planes || f.Planes[0].BytesPerLine != tc.bpl || f.Planes[0].SizeImage != tc.size {
				t.Errorf("planes = %+v, want %d of %d/%d", f.Planes, tc.planes, tc.bpl, tc.size)
			}
			if f.Type != tc.typ || f.Field != 1 {
				t.Errorf("type %v field %d", f.Type, f.Field)
			}
			got, err := d.GetFormat(tc.typ)
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != tc.want {
				t.Errorf("G_FMT after S_FMT = %v (before %v)", got, before)
			}
		})
	}
}

func TestSetFormatBusy(t *testing.T) {
	d := open(t, v4l2test.NewCamera())
	if _, err := d.RequestBuffers(v4l2.VideoCapture, 2); err != nil {
		t.Fatal(err)
	}
	if _, err := d.SetFormat(v4l2.VideoCapture, v4l2.PixFmtH264, 1280, 720); !errors.Is(err, unix.EBUSY) {
		t.Fatalf("S_FMT with buffers: %v, want EBUSY", err)
	}
	if _, err := d.RequestBuffers(v4l2.VideoCapture, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := d.SetFormat(v4l2.VideoCapture, v4l2.PixFmtH264, 1280, 720); err != nil {
		t.Fatalf("S_FMT after releasing buffers: %v", err)
	}
}

func TestFrameRate(t *testing.T) {
	tests := []struct {
		name    string
		fps     float64
		want    v4l2.Fraction
		wantErr bool
	}{
		{"offered", 15, v4l2.Fraction{Num: 1, Den: 15}, false},
		{"nearest offered", 25, v4l2.Fraction{Num: 1, Den: 30}, false},
		{"fractional", 29.97, v4l2.Fraction{Num: 1, Den: 30}, false},
		{"zero", 0, v4l2.Fraction{}, true},
		{"negative", -5, v4l2.Fraction{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := open(t, v4l2test.NewCamera())
			got, err := d.SetFrameRate(tc.fps)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v", err)
			}
			if got != tc.want {
				t.Errorf("time per frame = %v, want %v", got, tc.want)
			}
			if tc.wantErr {
				return
			}
			cur, settable, err := d.FrameRate()
			if err != nil || cur != tc.want || !settable {
				t.Errorf("FrameRate = %v %v %v", cur, settable, err)
			}
		})
	}
}

func TestEncoderFrameRate(t *testing.T) {
	enc := v4l2test.NewEncoder()
	d := open(t, enc)
	got, err := d.SetFrameRate(25)
	if err != nil {
		t.Fatal(err)
	}
	if got != (v4l2.Fraction{Num: 1, Den: 25}) {
		t.Errorf("time per frame = %v", got)
	}
}
