//go:build linux

package v4l2_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/capture/v4l2"
	"github.com/p2pcam/p2pcam/capture/v4l2/v4l2test"
)

// startCapture negotiates pf at w x h, allocates n buffers, queues them
// and starts streaming.
func startCapture(t *testing.T, d *v4l2.Device, pf v4l2.PixelFormat, w, h uint32, n int) v4l2.Format {
	t.Helper()
	typ := d.Capability().CaptureType()
	f, err := d.SetFormat(typ, pf, w, h)
	if err != nil {
		t.Fatal(err)
	}
	got, err := d.RequestBuffers(typ, n)
	if err != nil {
		t.Fatal(err)
	}
	if got != n || d.Buffers(typ) != n {
		t.Fatalf("granted %d buffers (Buffers %d), want %d", got, d.Buffers(typ), n)
	}
	if err := d.QueueAll(typ); err != nil {
		t.Fatal(err)
	}
	if err := d.StreamOn(typ); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestStreamCamera(t *testing.T) {
	aus := [][]byte{v4l2test.AccessUnit(0), v4l2test.AccessUnit(1), v4l2test.AccessUnit(2)}
	tests := []struct {
		name string
		pf   v4l2.PixelFormat
		w, h uint32
		fps  float64
		want func(seq uint32) []byte
	}{
		{"YUYV", v4l2.PixFmtYUYV, 320, 240, 15, func(seq uint32) []byte {
			p := make([]byte, 320*240*2)
			v4l2test.Picture(p, seq)
			return p
		}},
		{"H264", v4l2.PixFmtH264, 1280, 720, 30, func(seq uint32) []byte { return aus[seq%3] }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cam := v4l2test.NewCamera()
			cam.Frames = aus
			d := open(t, cam)
			startCapture(t, d, tc.pf, tc.w, tc.h, 3)
			tpf, err := d.SetFrameRate(tc.fps)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			for i := range 7 {
				b, err := d.Next(ctx, v4l2.VideoCapture, time.Second)
				if err != nil {
					t.Fatalf("frame %d: %v", i, err)
				}
				if b.Index != i%3 || b.Sequence != uint32(i) || b.Type != v4l2.VideoCapture {
					t.Errorf("frame %d: index %d sequence %d type %v", i, b.Index, b.Sequence, b.Type)
				}
				period := time.Second * time.Duration(tpf.Num) / time.Duration(tpf.Den)
				wantTS := (time.Second + time.Duration(i)*period).Truncate(time.Microsecond)
				if b.Timestamp != wantTS || !b.Flags.Monotonic() {
					t.Errorf("frame %d: timestamp %v flags %v, want %v monotonic", i, b.Timestamp, b.Flags, wantTS)
				}
				if want := tc.want(uint32(i)); !bytes.Equal(b.Data(), want) || b.BytesUsed() != len(want) {
					t.Errorf("frame %d: %d bytes differ from the %d served", i, b.BytesUsed(), len(want))
				}
				if err := d.Queue(v4l2.VideoCapture, b.Index); err != nil {
					t.Fatal(err)
				}
			}
			if err := d.StreamOff(v4l2.VideoCapture); err != nil {
				t.Fatal(err)
			}
			if err := d.Close(); err != nil {
				t.Fatal(err)
			}
			if n := cam.Mapped(); n != 0 {
				t.Errorf("%d planes still mapped", n)
			}
			want := []string{"open", "QUERYCAP", "S_FMT", "REQBUFS",
				"QUERYBUF", "mmap", "QUERYBUF", "mmap", "QUERYBUF", "mmap",
				"QBUF", "QBUF", "QBUF", "STREAMON", "S_PARM", "DQBUF"}
			if got := cam.Calls(); !slices.Equal(got[:len(want)], want) {
				t.Errorf("calls begin %q, want %q", got[:len(want)], want)
			}
			if got := cam.Calls(); !slices.Equal(got[len(got)-5:], []string{"STREAMOFF", "munmap", "munmap", "munmap", "close"}) {
				t.Errorf("calls end %q", got[len(got)-5:])
			}
		})
	}
}

func TestStreamEncoder(t *testing.T) {
	enc := v4l2test.NewEncoder()
	enc.DataOffset = 16
	d := open(t, enc)
	in, out := v4l2.VideoOutputMPlane, v4l2.VideoCaptureMPlane
	f, err := d.SetFormat(in, v4l2.PixFmtYUV420, 640, 480)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.SetFormat(out, v4l2.PixFmtH264, 640, 480); err != nil {
		t.Fatal(err)
	}
	for _, typ := range []v4l2.BufType{in, out} {
		if _, err := d.RequestBuffers(typ, 2); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.QueueAll(out); err != nil {
		t.Fatal(err)
	}
	for _, typ := range []v4l2.BufType{in, out} {
		if err := d.StreamOn(typ); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	for i := range 4 {
		idx := i % 2
		if i >= 2 { // the input buffer must come back first
			b, err := d.Next(ctx, in, time.Second)
			if err != nil {
				t.Fatal(err)
			}
			idx = b.Index
		}
		planes, err := d.Mapped(in, idx)
		if err != nil {
			t.Fatal(err)
		}
		if len(planes) != 1 || len(planes[0]) != int(f.Planes[0].SizeImage) {
			t.Fatalf("input planes %d of %d bytes", len(planes), len(planes[0]))
		}
		ts := time.Duration(i) * 40 * time.Millisecond
		if err := d.QueueOutput(in, idx, ts, len(planes[0])); err != nil {
			t.Fatal(err)
		}
		b, err := d.Next(ctx, out, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if b.Timestamp != ts || b.Flags&v4l2.BufFlagTimestampCopy == 0 {
			t.Errorf("frame %d: timestamp %v flags %v, want %v copied", i, b.Timestamp, b.Flags, ts)
		}
		if want := v4l2test.AccessUnit(i); !bytes.Equal(b.Data(), want) {
			t.Errorf("frame %d: payload % x, want % x", i, b.Data(), want)
		}
		if b.Flags.Keyframe() != (i == 0) {
			t.Errorf("frame %d: keyframe %v", i, b.Flags.Keyframe())
		}
		if err := d.Queue(out, b.Index); err != nil {
			t.Fatal(err)
		}
	}

	if err := d.EncoderCommand(v4l2.EncoderStop); err != nil {
		t.Fatal(err)
	}
	b, err := d.Next(ctx, out, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !b.Flags.Last() || b.BytesUsed() != 0 {
		t.Errorf("after stop: flags %v, %d bytes", b.Flags, b.BytesUsed())
	}
	if _, err := d.Next(ctx, out, time.Second); !errors.Is(err, v4l2.ErrDrained) {
		t.Errorf("after the last buffer: %v, want ErrDrained", err)
	}
	if got := enc.EncoderCommands(); !slices.Equal(got, []uint32{1}) {
		t.Errorf("encoder commands %v", got)
	}
}

func TestQueueErrors(t *testing.T) {
	d := open(t, v4l2test.NewEncoder())
	in, out := v4l2.VideoOutputMPlane, v4l2.VideoCaptureMPlane
	for _, typ := range []v4l2.BufType{in, out} {
		if _, err := d.RequestBuffers(typ, 2); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"Queue on output", func() error { return d.Queue(in, 0) }, "use QueueOutput"},
		{"QueueOutput on capture", func() error { return d.QueueOutput(out, 0, 0, 1) }, "use Queue"},
		{"index out of range", func() error { return d.Queue(out, 5) }, "out of range"},
		{"no bytes used", func() error { return d.QueueOutput(in, 0, 0) }, "bytes used"},
		{"too many bytes", func() error { return d.QueueOutput(in, 0, 0, 1<<30) }, "bytes used in a plane"},
		{"plane count", func() error { return d.QueueOutput(in, 0, 0, 1, 1) }, "planes"},
		{"bad type", func() error { _, err := d.RequestBuffers(v4l2.BufType(3), 2); return err }, "cannot stream"},
		{"no buffers", func() error { _, err := d.Mapped(v4l2.VideoCapture, 0); return err }, "no buffers requested"},
		{"queued twice", func() error {
			if err := d.Queue(out, 1); err != nil {
				return err
			}
			return d.Queue(out, 1)
		}, "invalid argument"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "v4l2: ") {
				t.Fatalf("err = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

func TestRequestBuffersAgain(t *testing.T) {
	cam := v4l2test.NewCamera()
	d := open(t, cam)
	startCapture(t, d, v4l2.PixFmtYUYV, 640, 480, 2)
	if _, err := d.RequestBuffers(v4l2.VideoCapture, 4); err == nil || !strings.Contains(err.Error(), "while streaming") {
		t.Fatalf("REQBUFS while streaming: %v", err)
	}
	if err := d.StreamOff(v4l2.VideoCapture); err != nil {
		t.Fatal(err)
	}
	n, err := d.RequestBuffers(v4l2.VideoCapture, 4)
	if err != nil || n != 4 {
		t.Fatalf("again: %d, %v", n, err)
	}
	if cam.Mapped() != 4 {
		t.Errorf("%d planes mapped, want 4", cam.Mapped())
	}
	if n, err := d.RequestBuffers(v4l2.VideoCapture, 0); err != nil || n != 0 {
		t.Fatalf("release: %d, %v", n, err)
	}
	if cam.Mapped() != 0 || d.Buffers(v4l2.VideoCapture) != 0 {
		t.Errorf("after release: %d mapped, %d buffers", cam.Mapped(), d.Buffers(v4l2.VideoCapture))
	}
	// The driver may grant more than asked.
	if n, err := d.RequestBuffers(v4l2.VideoCapture, 1); err != nil || n != 2 {
		t.Errorf("one buffer: granted %d, %v; want the driver's minimum 2", n, err)
	}
}

// TestStreamMultiPlanar captures from a multi-planar camera whose
// format has two planes, each with a data offset.
func TestStreamMultiPlanar(t *testing.T) {
	cam := v4l2test.NewCamera()
	cam.Caps = v4l2.CapVideoCaptureMPlane | v4l2.CapStreaming
	cam.DataOffset = 8
	cam.Formats = []v4l2test.Format{{Type: v4l2.VideoCaptureMPlane, PixelFormat: v4l2.PixFmtNV12,
		Description: "Y/CbCr 4:2:0 (N-C)", Sizes: []v4l2test.Size{{Width: 64, Height: 32}}, Planes: 2}}
	d := open(t, cam)
	if typ := d.Capability().CaptureType(); typ != v4l2.VideoCaptureMPlane {
		t.Fatalf("capture type %v", typ)
	}
	f := startCapture(t, d, v4l2.PixFmtNV12, 64, 32, 2)
	if len(f.Planes) != 2 || f.Planes[0].SizeImage != 64*32*3/4 {
		t.Fatalf("format planes %+v", f.Planes)
	}
	for i := range 3 {
		b, err := d.Next(context.Background(), v4l2.VideoCaptureMPlane, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Planes) != 2 {
			t.Fatalf("%d planes", len(b.Planes))
		}
		for j, p := range b.Planes {
			want := make([]byte, int(f.Planes[j].SizeImage)-8)
			v4l2test.Picture(want, uint32(i+j*1000))
			if !bytes.Equal(p, want) {
				t.Errorf("frame %d plane %d: %d bytes differ", i, j, len(p))
			}
		}
		if b.BytesUsed() != 2*(int(f.Planes[0].SizeImage)-8) {
			t.Errorf("bytes used %d", b.BytesUsed())
		}
		if err := d.Queue(v4l2.VideoCaptureMPlane, b.Index); err != nil {
			t.Fatal(err)
		}
	}
}
