//go:build linux

package v4l2cam

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/capture/v4l2"
	"github.com/p2pcam/p2pcam/capture/v4l2/v4l2test"
	"github.com/p2pcam/p2pcam/internal/syncbuf"
)

// lumaCall is one call of a LumaFunc, its picture copied.
type lumaCall struct {
	y            []byte
	w, h, stride int
	at           time.Time
}

// collectLuma runs Cameras.Luma until it has n pictures and returns them.
func collectLuma(t *testing.T, cs *Cameras, k *v4l2test.Kernel, spec string, every time.Duration, logs *syncbuf.Buffer, n int) []lumaCall {
	t.Helper()
	s, err := ParseSpec(strings.TrimPrefix(spec, "v4l2:"))
	if err != nil {
		t.Fatal(err)
	}
	var got []lumaCall
	enough := errors.New("enough")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err = cs.Luma(ctx, s, k, every, slog.New(slog.NewTextHandler(logs, nil)), func(y []byte, w, h, stride int, at time.Time) error {
		got = append(got, lumaCall{append([]byte(nil), y...), w, h, stride, at})
		if len(got) == n {
			return enough
		}
		return nil
	})
	if !errors.Is(err, enough) {
		t.Fatalf("Luma = %v after %d pictures, want %d", err, len(got), n)
	}
	return got
}

// TestLuma: Cameras.Luma hands out the luma plane of the camera's raw
// pictures, from packed (YUYV) and planar (NV12) formats, at most one
// per interval.
func TestLuma(t *testing.T) {
	for _, tc := range []struct {
		name   string
		format v4l2.PixelFormat
		// lumaAt is the fake picture's luma at (x, y) for seq = 0, with
		// the fake's bytes per line (see v4l2test.Picture).
		lumaAt func(x, y int) int
	}{
		{"yuyv", v4l2.PixFmtYUYV, func(x, y int) int { return y*320*2 + 2*x }},
		{"nv12", v4l2.PixFmtNV12, func(x, y int) int { return y*320 + x }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, cam := v4l2test.NewKernel(), v4l2test.NewCamera()
			cam.Formats = []v4l2test.Format{{Type: v4l2.VideoCapture, PixelFormat: tc.format, Description: tc.name,
				Sizes: []v4l2test.Size{{Width: 320, Height: 240}}, Intervals: []v4l2.Fraction{{Num: 1, Den: 30}}}}
			cam.FrameInterval = 5 * time.Millisecond
			k.Add("/dev/video0", cam)
			const every = 40 * time.Millisecond
			got := collectLuma(t, NewCameras(), k, "v4l2:/dev/video0?width=320&height=240&encoder=x264", every, &syncbuf.Buffer{}, 4)
			for i, c := range got {
				if c.w != 320 || c.h != 240 || c.stride < 320 || len(c.y) < c.stride*239+320 {
					t.Fatalf("picture %d: %dx%d, stride %d, %d bytes", i, c.w, c.h, c.stride, len(c.y))
				}
				// Every byte of a fake picture is seq+offset.
				seq := int(c.y[0])
				for _, p := range [][2]int{{1, 0}, {319, 0}, {0, 1}, {17, 100}, {319, 239}} {
					x, y := p[0], p[1]
					if want := byte(seq + tc.lumaAt(x, y)); c.y[y*c.stride+x] != want {
						t.Fatalf("picture %d: luma at (%d,%d) = %d, want %d", i, x, y, c.y[y*c.stride+x], want)
					}
				}
				if i > 0 && c.at.Sub(got[i-1].at) < every {
					t.Errorf("pictures %d and %d %v apart, want at least %v", i-1, i, c.at.Sub(got[i-1].at), every)
				}
			}
		})
	}
}

// TestLumaSharesTheCamera: Luma and a stream that name one camera share
// it (opened once, both fed); a spec that asks something else of it is
// refused; a camera that makes H.264 itself gives no luma.
func TestLumaSharesTheCamera(t *testing.T) {
	const spec = "v4l2:/dev/video0?width=640&height=480&fps=30&format=yuyv&encoder=/dev/video11"
	r := newRig(t, spec)
	r.enc.Frames = clipAUs(t)
	r.cam.FrameInterval = 5 * time.Millisecond
	run := r.start(t)
	run.wait(t, 5)
	cs := r.src.cameras
	got := collectLuma(t, cs, r.k, spec, 0, r.logs, 10)
	run.wait(t, 5)
	run.stop(t)
	if got[0].w != 640 || got[0].h != 480 {
		t.Errorf("luma %dx%d, want 640x480", got[0].w, got[0].h)
	}
	if n := strings.Count(r.logs.String(), `msg="camera opened"`); n != 1 {
		t.Errorf("camera opened %d times, want once:\n%s", n, r.logs)
	}

	for _, tc := range []struct{ spec, want string }{
		{"v4l2:/dev/video0?width=320&height=240&fps=30&format=yuyv&encoder=/dev/video11", "give every stream of a camera the same"},
		{"v4l2:/dev/video0?format=h264", "gives no raw pictures"},
	} {
		r := newRig(t, spec)
		r.enc.Frames = clipAUs(t)
		run := r.start(t)
		run.wait(t, 1)
		s, err := ParseSpec(strings.TrimPrefix(tc.spec, "v4l2:"))
		if err != nil {
			t.Fatal(err)
		}
		// Bounded: were it let in, Luma would read until its context ended.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err = r.src.cameras.Luma(ctx, s, r.k, 0, slog.New(slog.NewTextHandler(r.logs, nil)),
			func([]byte, int, int, int, time.Time) error { return nil })
		cancel()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Luma(%s) = %v, want an error mentioning %q", tc.spec, err, tc.want)
		}
		run.stop(t)
	}
}

// BenchmarkLuma: the luma of one 640x360 picture, as Cameras.Luma
// takes it for the motion detector five times a second.
func BenchmarkLuma(b *testing.B) {
	for _, pf := range []pixfmt{pixYUYV, pixNV12} {
		b.Run(pf.String(), func(b *testing.B) {
			l, err := newLayout(pf, 640, 360, []int{0}, []int{0})
			if err != nil {
				b.Fatal(err)
			}
			data := make([]byte, l.planes[len(l.planes)-1].end())
			var p lumaPicture
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := p.of(l, data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
