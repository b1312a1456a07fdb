//go:build linux

package v4l2_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/capture/v4l2"
	"github.com/p2pcam/p2pcam/capture/v4l2/v4l2test"
)

func TestDeviceGone(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(cam *v4l2test.Device)
		during func(cam *v4l2test.Device) // run while Next waits
		frames int                        // delivered before the error
	}{
		{"vanishes between frames", func(cam *v4l2test.Device) { cam.VanishAfter = 3 }, nil, 3},
		{"vanishes while waiting", func(cam *v4l2test.Device) { cam.Stall(true) }, (*v4l2test.Device).Vanish, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cam := v4l2test.NewCamera()
			tc.setup(cam)
			d := open(t, cam)
			startCapture(t, d, v4l2.PixFmtYUYV, 320, 240, 2)
			if tc.during != nil {
				time.AfterFunc(20*time.Millisecond, func() { tc.during(cam) })
			}
			var err error
			frames := 0
			for frames < 10 {
				var b v4l2.Buffer
				b, err = d.Next(context.Background(), v4l2.VideoCapture, 5*time.Second)
				if err != nil {
					break
				}
				frames++
				if err = d.Queue(v4l2.VideoCapture, b.Index); err != nil {
					break
				}
			}
			if frames != tc.frames || !errors.Is(err, v4l2.ErrGone) {
				t.Fatalf("after %d frames: %v; want ErrGone after %d", frames, err, tc.frames)
			}
			if err := d.Close(); err != nil {
				t.Errorf("close a gone device: %v", err)
			}
			if cam.Mapped() != 0 {
				t.Errorf("%d planes still mapped", cam.Mapped())
			}
		})
	}
}

func TestWaitEnds(t *testing.T) {
	tests := []struct {
		name    string
		timeout time.Duration
		act     func(d *v4l2.Device, cancel context.CancelFunc)
		want    error
	}{
		{"timeout", 30 * time.Millisecond, nil, v4l2.ErrTimeout},
		{"close", 0, func(d *v4l2.Device, _ context.CancelFunc) { d.Close() }, v4l2.ErrClosed},
		{"cancel", 0, func(_ *v4l2.Device, cancel context.CancelFunc) { cancel() }, context.Canceled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cam := v4l2test.NewCamera()
			cam.Stall(true)
			d := open(t, cam)
			startCapture(t, d, v4l2.PixFmtYUYV, 320, 240, 2)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.act != nil {
				time.AfterFunc(20*time.Millisecond, func() { tc.act(d, cancel) })
			}
			start := time.Now()
			_, err := d.Next(ctx, v4l2.VideoCapture, tc.timeout)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if el := time.Since(start); el > 2*time.Second {
				t.Errorf("took %v to notice", el)
			}
		})
	}
}

// TestWaitAfterCancel checks that a cancelled wait leaves nothing behind
// that would wake the next one early.
func TestWaitAfterCancel(t *testing.T) {
	cam := v4l2test.NewCamera()
	cam.Stall(true)
	d := open(t, cam)
	startCapture(t, d, v4l2.PixFmtYUYV, 320, 240, 2)
	for range 3 {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(5*time.Millisecond, cancel)
		if err := d.Wait(ctx, v4l2.VideoCapture, 0); !errors.Is(err, context.Canceled) {
			t.Fatalf("wait: %v", err)
		}
	}
	start := time.Now()
	if err := d.Wait(context.Background(), v4l2.VideoCapture, 50*time.Millisecond); !errors.Is(err, v4l2.ErrTimeout) {
		t.Fatalf("wait after cancels: %v", err)
	}
	if el := time.Since(start); el < 45*time.Millisecond {
		t.Errorf("wait returned after %v, before its timeout", el)
	}
	cam.Stall(false)
	if _, err := d.Next(context.Background(), v4l2.VideoCapture, time.Second); err != nil {
		t.Fatalf("frame after resuming: %v", err)
	}
}

func TestStreamError(t *testing.T) {
	tests := []struct {
		name  string
		setup func(d *v4l2.Device) error
		want  error
	}{
		{"no buffer queued", func(d *v4l2.Device) error {
			if _, err := d.RequestBuffers(v4l2.VideoCapture, 2); err != nil {
				return err
			}
			return d.StreamOn(v4l2.VideoCapture)
		}, v4l2.ErrStreamError},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := open(t, v4l2test.NewCamera())
			if err := tc.setup(d); err != nil {
				t.Fatal(err)
			}
			if _, err := d.Next(context.Background(), v4l2.VideoCapture, time.Second); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if _, err := d.Dequeue(v4l2.VideoCapture); !errors.Is(err, v4l2.ErrNotReady) {
				t.Fatalf("Dequeue: %v, want ErrNotReady", err)
			}
		})
	}
}

func TestPacedFrames(t *testing.T) {
	cam := v4l2test.NewCamera()
	cam.FrameInterval = 20 * time.Millisecond
	d := open(t, cam)
	startCapture(t, d, v4l2.PixFmtYUYV, 320, 240, 2)
	start := time.Now()
	for range 4 {
		b, err := d.Next(context.Background(), v4l2.VideoCapture, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Queue(v4l2.VideoCapture, b.Index); err != nil {
			t.Fatal(err)
		}
	}
	if el := time.Since(start); el < 55*time.Millisecond {
		t.Errorf("4 frames 20ms apart took %v", el)
	}
}
