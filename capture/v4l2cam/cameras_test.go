//go:build linux

package v4l2cam

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/capture"
	"github.com/p2pcam/p2pcam/capture/v4l2"
	"github.com/p2pcam/p2pcam/capture/v4l2/v4l2test"
	"github.com/p2pcam/p2pcam/internal/syncbuf"
	"github.com/p2pcam/p2pcam/media"
	"github.com/p2pcam/p2pcam/stream"
)

// sharedRig is a fake kernel with a raw camera at /dev/video0 and an
// M2M encoder at /dev/video11 that gives each open file a context of
// its own (as bcm2835-codec does), and V4L2 sources on them that meet
// in one Cameras set, each run by a stream hub as the agent runs them.
type sharedRig struct {
	k       *v4l2test.Kernel
	cam     *v4l2test.Device
	enc     *v4l2test.Device
	cameras *Cameras
	logs    *syncbuf.Buffer
}

func newSharedRig(t *testing.T) *sharedRig {
	t.Helper()
	r := &sharedRig{k: v4l2test.NewKernel(), cam: v4l2test.NewCamera(), enc: v4l2test.NewEncoder(),
		cameras: NewCameras(), logs: &syncbuf.Buffer{}}
	r.cam.FrameInterval = 2 * time.Millisecond
	r.enc.PerOpen = true
	r.enc.Frames = clipAUs(t)
	r.k.Add("/dev/video0", r.cam)
	r.k.Add("/dev/video11", r.enc)
	t.Cleanup(func() {
		r.cameras.mu.Lock()
		defer r.cameras.mu.Unlock()
		if len(r.cameras.open) != 0 {
			t.Errorf("%d cameras still open after the test", len(r.cameras.open))
		}
	})
	return r
}

// source returns a source for spec on the rig's kernel and cameras.
func (r *sharedRig) source(t *testing.T, spec string) *Source {
	t.Helper()
	s, err := ParseSpec(strings.TrimPrefix(spec, "v4l2:"))
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(r.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	src, err := r.cameras.NewSource(s, capture.Env{Logger: logger.With("spec", spec)})
	if err != nil {
		t.Fatal(err)
	}
	src.Sys = r.k
	src.MinBackoff = 5 * time.Millisecond
	src.MaxBackoff = 20 * time.Millisecond
	src.FrameTimeout = time.Second
	return src
}

// viewer is a subscriber of a hub running a source.
type viewer struct {
	hub *stream.Hub
	sub *stream.Subscriber
}

// watch starts a hub on src and subscribes to it, which starts src.
func (r *sharedRig) watch(t *testing.T, name string, src *Source) *viewer {
	t.Helper()
	hub, err := stream.New(src, stream.Config{Name: name, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(hub.Close)
	sub, err := hub.Subscribe()
	if err != nil {
		t.Fatal(err)
	}
	return &viewer{hub: hub, sub: sub}
}

// frames returns the next n frames.
func (v *viewer) frames(t *testing.T, n int) []*media.Frame {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out []*media.Frame
	for len(out) < n {
		f, err := v.sub.Next(ctx)
		if err != nil {
			t.Fatalf("%d of %d frames: %v", len(out), n, err)
		}
		out = append(out, f)
	}
	return out
}

// stop stops the hub, which waits until its source's Run has returned.
func (v *viewer) stop() {
	v.sub.Close()
	v.hub.Close()
}

// count returns how often a device saw a call.
func count(d *v4l2test.Device, call string) int {
	n := 0
	for _, c := range d.Calls() {
		if c == call {
			n++
		}
	}
	return n
}

const sharedCamera = "v4l2:/dev/video0?format=yuyv&width=640&height=480&fps=30&encoder=/dev/video11"

// TestV4L2SharedM2M: two qualities from one raw camera, each through an
// encoder instance of its own: the main one at the camera's size, the
// sub-stream scaled. The camera opens once, with the first stream to
// start; the sub-stream starts only with its first viewer; stopping the
// main stream leaves the sub-stream running; the camera closes with the
// last stream.
func TestV4L2SharedM2M(t *testing.T) {
	r := newSharedRig(t)
	high := r.watch(t, "high", r.source(t, sharedCamera+"&bitrate=1M"))
	checkFrames(t, high.frames(t, 30), 1, 640, 360) // the fake encoder's clip
	if n := len(r.enc.Contexts()); n != 1 {
		t.Fatalf("%d encoder instances before the sub-stream has a viewer, want 1", n)
	}

	std := r.watch(t, "standard", r.source(t, sharedCamera+"&bitrate=300k&scale=320x240"))
	checkFrames(t, std.frames(t, 30), 1, 640, 360)
	high.frames(t, 10) // the main stream goes on meanwhile
	ctxs := r.enc.Contexts()
	if len(ctxs) != 2 {
		t.Fatalf("%d encoder instances, want one per stream", len(ctxs))
	}
	for i, want := range []int64{1_000_000, 300_000} {
		if got := ctxs[i].Value(v4l2.CIDVideoBitrate); got != want {
			t.Errorf("encoder instance %d: bitrate %d, want %d", i, got, want)
		}
	}
	if n := count(r.cam, "open"); n != 1 {
		t.Errorf("camera opened %d times for two streams, want once", n)
	}
	logs := r.logs.String()
	for _, want := range []string{`input="YU12 640x480" direct=false scaled=false`, `input="YU12 320x240" direct=false scaled=true`,
		"scale=320x240 camera_streams=2"} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}

	high.stop()
	std.frames(t, 30)
	if n := count(r.cam, "close"); n != 0 {
		t.Errorf("camera closed %d times while the sub-stream runs", n)
	}
	std.stop()
	if n, m := count(r.cam, "close"), r.cam.Mapped(); n != 1 || m != 0 {
		t.Errorf("after the last stream stopped: camera closed %d times, %d buffers mapped; want 1 and 0", n, m)
	}

	// The next viewer opens it again.
	again := r.watch(t, "standard", r.source(t, sharedCamera+"&scale=320x240"))
	again.frames(t, 5)
	again.stop()
	if n := count(r.cam, "open"); n != 2 {
		t.Errorf("camera opened %d times, want 2", n)
	}
}

// TestV4L2SharedSlowEncoder: an encoder that stops taking pictures
// holds up neither the camera nor the other stream; the pictures it
// misses are dropped from its queue and counted.
func TestV4L2SharedSlowEncoder(t *testing.T) {
	r := newSharedRig(t)
	r.cam.FrameInterval = 10 * time.Millisecond
	high := r.watch(t, "high", r.source(t, sharedCamera))
	high.frames(t, 5)
	slow := r.source(t, sharedCamera+"&scale=320x240")
	slow.FrameTimeout = time.Minute // it waits for its encoder, not gives up
	std := r.watch(t, "standard", slow)
	std.frames(t, 5)

	ctxs := r.enc.Contexts()
	ctxs[1].Stall(true)
	for f, _ := high.sub.TryNext(); f != nil; f, _ = high.sub.TryNext() {
		// Frames from before the stall.
	}
	high.frames(t, 60)
	r.cameras.mu.Lock()
	var dropped []uint64
	for _, c := range r.cameras.open {
		c.fan.mu.Lock()
		for _, rd := range c.fan.readers {
			dropped = append(dropped, rd.dropped.Load())
		}
		c.fan.mu.Unlock()
	}
	r.cameras.mu.Unlock()
	slices.Sort(dropped)
	// The stalled encoder misses all but what fills its four raw
	// buffers and its queue of two. (The main one may miss a few too:
	// the fake camera runs at 100 fps, faster than the race detector
	// lets it encode.)
	if len(dropped) != 2 || dropped[1] < 50 {
		t.Errorf("pictures dropped per reader %v, want at least 50 of 60 for the stalled one", dropped)
	}
	ctxs[1].Stall(false)
	std.frames(t, 10)
	high.stop()
	std.stop()
}

// TestV4L2SharedReopen: a camera that goes away is reopened once for
// both its streams, which go on from an IDR.
func TestV4L2SharedReopen(t *testing.T) {
	r := newSharedRig(t)
	r.cam.VanishAfter = 40
	high := r.watch(t, "high", r.source(t, sharedCamera))
	std := r.watch(t, "standard", r.source(t, sharedCamera+"&scale=320x240"))
	high.frames(t, 10)
	std.frames(t, 5)
	waitLog(t, r.logs, "camera is gone (unplugged?); reopening it")
	back := v4l2test.NewCamera()
	back.FrameInterval = 2 * time.Millisecond
	r.k.Add("/dev/video0", back)
	for _, v := range []*viewer{high, std} {
		for {
			f := v.frames(t, 1)[0]
			if count(back, "open") > 0 && f.Key {
				break // an IDR from the camera that came back
			}
		}
		v.frames(t, 10)
	}
	if n := count(back, "open"); n != 1 {
		t.Errorf("the camera that came back was opened %d times for two streams, want once", n)
	}
	high.stop()
	std.stop()
}

// TestV4L2SharedConflict: a stream that asks another size of a camera
// already open for another stream fails with a message that says why.
func TestV4L2SharedConflict(t *testing.T) {
	r := newSharedRig(t)
	high := r.watch(t, "high", r.source(t, sharedCamera))
	high.frames(t, 1)
	other := r.source(t, "v4l2:/dev/video0?format=yuyv&width=320&height=240&fps=30&encoder=/dev/video11")
	err := other.Run(context.Background(), func(*media.Frame) {})
	for _, want := range []string{"yuyv, 640x480, 30 fps", "yuyv, 320x240, 30 fps", "give every stream of a camera the same format, width, height and fps"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Run = %v, want an error mentioning %q", err, want)
		}
	}
	high.stop()
}

// TestCamerasSetsAreSeparate: sources share a camera only through the
// set they were made from. One made from another set opens the camera
// itself, and cannot have it while the first set streams it (a real
// kernel says EBUSY): so the composition root makes one set for every
// source of the process.
func TestCamerasSetsAreSeparate(t *testing.T) {
	r := newSharedRig(t)
	high := r.watch(t, "high", r.source(t, sharedCamera))
	high.frames(t, 1)
	elsewhere := &sharedRig{k: r.k, cameras: NewCameras(), logs: r.logs}
	src := elsewhere.source(t, sharedCamera+"&scale=320x240")
	src.GoneGrace = 100 * time.Millisecond
	// Bounded: were the camera free, the source would stream until its
	// context ended.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := src.Run(ctx, func(*media.Frame) {}); err == nil || ctx.Err() != nil {
		t.Errorf("Run = %v; want an error at once: the camera is another set's; log:\n%s", err, r.logs)
	}
	if n := count(r.cam, "open"); n < 2 {
		t.Errorf("camera opened %d times: the other set's source did not open it itself", n)
	}
	high.stop()
}

// TestV4L2ScaleLargerThanCamera: scale= beyond what the camera gives
// is an error reopening cannot fix.
func TestV4L2ScaleLargerThanCamera(t *testing.T) {
	r := newSharedRig(t)
	src := r.source(t, "v4l2:/dev/video0?format=yuyv&encoder=/dev/video11&scale=800x600")
	err := src.Run(context.Background(), func(*media.Frame) {})
	if err == nil || !strings.Contains(err.Error(), "scale 800x600 is larger than the camera's picture, 640x480: scale only shrinks") {
		t.Errorf("Run = %v", err)
	}
}

// TestOpen: capture.Open makes a V4L2 source of a "v4l2:" spec through
// the kind a Cameras set gives it.
func TestOpen(t *testing.T) {
	cameras := NewCameras()
	src, err := capture.Open("v4l2:/dev/video0?format=yuyv&encoder=x264&bitrate=1M", capture.Env{}, cameras.Kind())
	if err != nil {
		t.Fatal(err)
	}
	v, ok := src.(*Source)
	if !ok || v.Spec().Bitrate != 1_000_000 || v.Spec().Encoder != "x264" || v.cameras != cameras {
		t.Fatalf("Open gave %T %+v", src, v)
	}
	if _, err := capture.Open("v4l2:/dev/video0?format=yuyv", capture.Env{}, cameras.Kind()); !errors.Is(err, capture.ErrBadSpec) {
		t.Errorf("raw format without an encoder: %v", err)
	}
	if _, err := capture.Open("v4l2:/dev/video0", capture.Env{}); !errors.Is(err, capture.ErrBadSpec) {
		t.Errorf("without the v4l2 kind: %v", err)
	}
}
