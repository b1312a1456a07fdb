//go:build linux

package v4l2cam

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/capture"
	"github.com/p2pcam/p2pcam/capture/capturetest"
	"github.com/p2pcam/p2pcam/capture/v4l2"
	"github.com/p2pcam/p2pcam/capture/v4l2/v4l2test"
	"github.com/p2pcam/p2pcam/capture/x264"
	"github.com/p2pcam/p2pcam/codec/h264"
	"github.com/p2pcam/p2pcam/internal/clock"
	"github.com/p2pcam/p2pcam/internal/mediatest"
	"github.com/p2pcam/p2pcam/internal/syncbuf"
	"github.com/p2pcam/p2pcam/media"
	"github.com/p2pcam/p2pcam/mux/flv"
	"github.com/p2pcam/p2pcam/stream"
)

// clipAUs returns the sim board's high clip (640x360, 25 fps, an IDR
// every 25 frames) as access units in Annex-B form, as a UVC H.264
// camera or an M2M encoder fills its buffers. Like encoders that send
// the stream header once, in a buffer of its own, the SPS and PPS come
// first, alone, and the IDRs after carry none: the source must put them
// back in front of every IDR.
func clipAUs(t testing.TB) [][]byte {
	t.Helper()
	b, err := os.ReadFile("../sim/clips/high.h264")
	if err != nil {
		t.Fatal(err)
	}
	nalus, err := h264.SplitAnnexB(b)
	if err != nil {
		t.Fatal(err)
	}
	var params, aus [][]byte
	var asm h264.Assembler
	add := func(au h264.AccessUnit) {
		var keep [][]byte
		for _, n := range au.NALUs {
			switch h264.TypeOf(n) {
			case h264.NALUTypeSPS, h264.NALUTypePPS:
				if len(params) < 2 {
					params = append(params, n)
				}
			default:
				keep = append(keep, n)
			}
		}
		aus = append(aus, h264.AppendAnnexB(nil, keep))
	}
	for _, n := range nalus {
		if au, ok := asm.Push(n); ok {
			add(au)
		}
	}
	if au, ok := asm.Flush(); ok {
		add(au)
	}
	if len(params) != 2 || len(aus) != 100 {
		t.Fatalf("clip: %d parameter sets, %d access units", len(params), len(aus))
	}
	return append([][]byte{h264.AppendAnnexB(nil, params)}, aus...)
}

// rig is a fake kernel with a camera at /dev/video0 and an encoder at
// /dev/video11, and a V4L2 source on them that logs into logs.
type rig struct {
	k    *v4l2test.Kernel
	cam  *v4l2test.Device
	enc  *v4l2test.Device
	src  *Source
	logs *syncbuf.Buffer
}

// waitLog waits until logs has a line containing text.
func waitLog(t *testing.T, logs *syncbuf.Buffer, text string) {
	t.Helper()
	if _, ok := logs.WaitFor(10*time.Second, text); !ok {
		t.Fatalf("log lacks %q after 10 s:\n%s", text, logs)
	}
}

func newRig(t *testing.T, spec string) *rig {
	t.Helper()
	r := &rig{k: v4l2test.NewKernel(), cam: v4l2test.NewCamera(), enc: v4l2test.NewEncoder(), logs: &syncbuf.Buffer{}}
	// Paced, so that a test that stops reading is not flooded.
	r.cam.FrameInterval = 2 * time.Millisecond
	r.k.Add("/dev/video0", r.cam)
	r.k.Add("/dev/video11", r.enc)
	s, err := ParseSpec(strings.TrimPrefix(spec, "v4l2:"))
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(r.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	r.src, err = NewCameras().NewSource(s, capture.Env{Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	r.src.Sys = r.k
	r.src.MinBackoff = 5 * time.Millisecond
	r.src.MaxBackoff = 20 * time.Millisecond
	r.src.FrameTimeout = time.Second
	return r
}

// running is a source running in the background.
type running struct {
	c      *capturetest.Collector
	cancel context.CancelFunc
	done   chan error
}

func (r *rig) start(t *testing.T) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	run := &running{c: capturetest.NewCollector(), cancel: cancel, done: make(chan error, 1)}
	go func() { run.done <- r.src.Run(ctx, run.c.Emit) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-run.done:
		case <-time.After(10 * time.Second):
			t.Error("Run did not return 10 s after its context ended")
		}
	})
	return run
}

// wait waits for n more frames and returns every frame so far.
func (run *running) wait(t *testing.T, n int) []*media.Frame {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for i := range n {
		select {
		case <-run.c.Got:
		case err := <-run.done:
			run.done <- err
			t.Fatalf("Run returned %v after %d of %d frames", err, i, n)
		case <-timeout:
			t.Fatalf("%d of %d frames in 20 s", i, n)
		}
	}
	return run.c.Frames()
}

// stop ends the run and checks that Run returned nil.
func (run *running) stop(t *testing.T) {
	t.Helper()
	run.cancel()
	if err := <-run.done; err != nil {
		t.Errorf("Run = %v, want nil after cancel", err)
	}
	run.done <- nil // for the cleanup
}

// checkFrames checks that frames are AVCC H.264 with SPS/PPS before
// every IDR, start with one, have strictly increasing PTS, and, muxed
// into FLV, are what ffmpeg decodes cleanly at w x h.
func checkFrames(t *testing.T, frames []*media.Frame, wantKeys, w, h int) {
	t.Helper()
	if len(frames) == 0 || !frames[0].Key {
		t.Fatalf("%d frames; the first must be a keyframe", len(frames))
	}
	keys := 0
	for i, f := range frames {
		nalus, err := h264.SplitAVCC(f.Payload)
		if err != nil {
			t.Fatalf("frame %d: payload is not AVCC: %v", i, err)
		}
		if f.Key != h264.IsKeyframe(nalus) {
			t.Errorf("frame %d: Key %v for NAL units %v", i, f.Key, nalus)
		}
		if f.Key {
			keys++
			if !capturetest.HasParams(nalus) {
				t.Errorf("frame %d: IDR without SPS and PPS in front", i)
			}
		}
		if i > 0 && f.PTS <= frames[i-1].PTS {
			t.Fatalf("frame %d: PTS %v after %v", i, f.PTS, frames[i-1].PTS)
		}
		if f.Video == nil || f.Video.Width != w || f.Video.Height != h {
			t.Fatalf("frame %d: video info %+v", i, f.Video)
		}
	}
	if keys < wantKeys {
		t.Errorf("%d keyframes, want at least %d", keys, wantKeys)
	}
	var b bytes.Buffer
	bw := bufio.NewWriter(&b)
	m := flv.NewMuxer(bw, flv.MuxerConfig{HasVideo: true})
	for _, f := range frames {
		if err := m.WriteFrame(f); err != nil {
			t.Fatal(err)
		}
	}
	bw.Flush()
	path := mediatest.WriteTemp(t, "v4l2.flv", b.Bytes())
	p := mediatest.FFprobe(t, path)
	if v := p.Video(t); v.CodecName != "h264" || v.Width != w || v.Height != h {
		t.Errorf("ffprobe: %s %dx%d, want h264 %dx%d", v.CodecName, v.Width, v.Height, w, h)
	}
	if n := len(p.VideoPackets()); n != len(frames) {
		t.Errorf("ffprobe: %d packets, want %d", n, len(frames))
	}
	p.CheckMonotonic(t)
	mediatest.CheckDecodes(t, path)
}

// TestV4L2CameraH264: a UVC camera that emits H.264. Its buffers are
// access units (the stream header alone in the first); each becomes a
// frame as soon as it is dequeued, stamped from the buffer timestamps.
func TestV4L2CameraH264(t *testing.T) {
	r := newRig(t, "v4l2:/dev/video0?width=640&height=480&fps=30&format=h264&stats=1s")
	r.cam.Frames = clipAUs(t)
	r.cam.FrameInterval = 10 * time.Millisecond
	run := r.start(t)
	frames := run.wait(t, 60)
	run.stop(t)
	checkFrames(t, frames, 3, 640, 360)
	// The fake stamps frames 1/30 s apart: that spacing is kept.
	for i := 1; i < len(frames); i++ {
		if d := frames[i].PTS - frames[i-1].PTS; d < time.Millisecond || d > 40*time.Millisecond {
			t.Errorf("frame %d: %v after the previous one, want about 33ms", i, d)
		}
	}
	logs := r.logs.String()
	for _, want := range []string{`msg=capturing`, `format="H264 640x480"`, `encoder=camera`, `msg=frame`} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
	// A UVC camera without codec controls cannot change its bit rate.
	if err := r.src.ForceKeyframe(); !errors.Is(err, capture.ErrNotRunning) {
		t.Errorf("ForceKeyframe after Run: %v, want capture.ErrNotRunning", err)
	}
}

// TestV4L2M2M: a raw YUYV camera feeding the bcm2835-codec-like fake
// encoder, which takes YU12 or NV12: pictures are converted into its
// OUTPUT buffers, H.264 comes out of its CAPTURE queue, with the
// settings of the spec applied as controls; bit rate changes and key
// frame requests reach the encoder while it runs.
func TestV4L2M2M(t *testing.T) {
	r := newRig(t, "v4l2:/dev/video0?width=640&height=480&fps=30&format=yuyv&encoder=/dev/video11&bitrate=1M&gop=25&profile=main")
	r.enc.Frames = clipAUs(t)
	r.cam.FrameInterval = 5 * time.Millisecond
	run := r.start(t)
	run.wait(t, 30)

	for _, c := range []struct {
		name string
		id   uint32
		want int64
	}{
		{"bitrate", v4l2.CIDVideoBitrate, 1_000_000},
		{"I period", v4l2.CIDVideoH264IPeriod, 25},
		{"profile", v4l2.CIDVideoH264Profile, v4l2.H264ProfileMain},
		{"repeat sequence header", v4l2.CIDVideoRepeatSeqHdr, 1},
	} {
		if got := r.enc.Value(c.id); got != c.want {
			t.Errorf("encoder %s = %d, want %d", c.name, got, c.want)
		}
	}
	if err := r.src.SetBitrate(500_000); err != nil {
		t.Fatal(err)
	}
	if got := r.enc.Value(v4l2.CIDVideoBitrate); got != 500_000 {
		t.Errorf("after SetBitrate(500k): encoder bitrate %d", got)
	}
	if err := r.src.ForceKeyframe(); err != nil {
		t.Fatal(err)
	}
	if n := r.enc.Presses(v4l2.CIDVideoForceKeyFrame); n != 1 {
		t.Errorf("force key frame pressed %d times, want 1", n)
	}
	frames := run.wait(t, 30)
	run.stop(t)
	checkFrames(t, frames, 2, 640, 360)
	if got := r.src.Bitrate(); got != 500_000 {
		t.Errorf("Bitrate() = %d", got)
	}
	logs := r.logs.String()
	for _, want := range []string{`msg="encoder ready"`, `input="YU12 640x480"`, "direct=false", "encoder=/dev/video11"} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
	calls := strings.Join(r.enc.Calls(), " ")
	for _, want := range []string{"S_FMT", "S_PARM", "S_EXT_CTRLS", "REQBUFS", "STREAMON", "QBUF", "DQBUF"} {
		if !strings.Contains(calls, want) {
			t.Errorf("encoder never saw %s: %s", want, calls)
		}
	}
}

// TestV4L2M2MDirect: an NV12 camera feeds an encoder that takes NV12 as
// it is: pictures are copied, not converted.
func TestV4L2M2MDirect(t *testing.T) {
	r := newRig(t, "v4l2:/dev/video0?width=640&height=360&encoder=/dev/video11")
	r.cam.Formats = []v4l2test.Format{{Type: v4l2.VideoCapture, PixelFormat: v4l2.PixFmtNV12, Description: "Y/UV 4:2:0",
		Sizes: []v4l2test.Size{{Width: 640, Height: 360}}, Intervals: []v4l2.Fraction{{Num: 1, Den: 30}}}}
	r.enc.Frames = clipAUs(t)
	run := r.start(t)
	frames := run.wait(t, 30)
	run.stop(t)
	checkFrames(t, frames, 1, 640, 360)
	if logs := r.logs.String(); !strings.Contains(logs, `input="NV12 640x360"`) || !strings.Contains(logs, "direct=true") {
		t.Errorf("log lacks the direct NV12 input:\n%s", logs)
	}
}

// TestV4L2VanishAndReturn: a camera that is unplugged is reopened, with
// a clear log line, once it is back; the stream goes on from an IDR
// with PTS still increasing.
func TestV4L2VanishAndReturn(t *testing.T) {
	r := newRig(t, "v4l2:/dev/video0?width=640&height=480&format=h264")
	aus := clipAUs(t)
	r.cam.Frames = aus
	r.cam.VanishAfter = 41 // the stream header, then 40 access units
	run := r.start(t)
	run.wait(t, 40)
	// Plugged in again: a new device at the same path.
	back := v4l2test.NewCamera()
	back.Frames = aus
	back.FrameInterval = 2 * time.Millisecond
	r.k.Add("/dev/video0", back)
	frames := run.wait(t, 30)
	run.stop(t)
	checkFrames(t, frames, 3, 640, 360)
	if !frames[40].Key {
		t.Error("the first frame after the camera came back is not a keyframe")
	}
	logs := r.logs.String()
	if !strings.Contains(logs, `msg="camera is gone (unplugged?); reopening it"`) || strings.Count(logs, "msg=capturing") < 2 {
		t.Errorf("log lacks the vanish and the reopen:\n%s", logs)
	}
}

// TestV4L2GoneForGood: a camera that stays away past GoneGrace ends Run
// with an error matching v4l2.ErrGone, which ends the hub's viewers'
// streams with ErrSourceFailed.
func TestV4L2GoneForGood(t *testing.T) {
	r := newRig(t, "v4l2:/dev/video0?width=640&height=480&format=h264")
	r.cam.Frames = clipAUs(t)
	r.cam.VanishAfter = 11
	// Room for several 5-20 ms retries even under the race detector on
	// a loaded machine (100 ms once fitted only one).
	r.src.GoneGrace = 400 * time.Millisecond
	hub, err := stream.New(r.src, stream.Config{Name: "test", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer hub.Close()
	sub, err := hub.Subscribe()
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	frames := 0
	for {
		_, err := sub.Next(ctx)
		if err != nil {
			if !errors.Is(err, stream.ErrSourceFailed) || !errors.Is(err, v4l2.ErrGone) || !strings.Contains(err.Error(), "giving up") {
				t.Fatalf("viewer's stream ended with %v, want ErrSourceFailed wrapping v4l2.ErrGone", err)
			}
			break
		}
		frames++
	}
	if frames != 10 {
		t.Errorf("viewer got %d frames, want the 10 before the camera vanished", frames)
	}
	if strings.Count(r.logs.String(), "reopening it") < 2 {
		t.Errorf("log lacks the retries:\n%s", r.logs.String())
	}
}

// TestV4L2SetupErrors: errors reopening cannot fix end Run at once.
func TestV4L2SetupErrors(t *testing.T) {
	tests := []struct {
		spec string
		want string
	}{
		{"v4l2:/dev/video0?format=h264&fps=30&width=320&height=240", ""}, // control: works
		{"v4l2:/dev/video0?format=mjpeg&encoder=/dev/video11", "not mjpeg"},
		{"v4l2:/dev/video11?format=h264", "not a camera"},
		{"v4l2:/dev/video0?format=yuyv&encoder=/dev/video0", "not a memory-to-memory encoder"},
		{"v4l2:/dev/video0?format=yuyv&encoder=/dev/video12", "encoder /dev/video12 is missing"},
	}
	if !x264.Built {
		tests = append(tests, struct{ spec, want string }{"v4l2:/dev/video0?format=yuyv&encoder=x264", "built without x264: use the -tags x264 build (scripts/cross-build.sh --x264)"})
	}
	for _, tc := range tests {
		r := newRig(t, tc.spec)
		r.cam.Frames = clipAUs(t)
		if tc.want == "" {
			run := r.start(t)
			run.wait(t, 1)
			run.stop(t)
			continue
		}
		err := r.src.Run(context.Background(), func(*media.Frame) {})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Run = %v, want an error mentioning %q", tc.spec, err, tc.want)
		}
		if strings.Contains(r.logs.String(), "reopening") {
			t.Errorf("%s: retried a setup error:\n%s", tc.spec, r.logs.String())
		}
	}
	r := newRig(t, "v4l2:/dev/video0?format=h264")
	r.cam.Formats = r.cam.Formats[:1] // YUYV only
	if err := r.src.Run(context.Background(), func(*media.Frame) {}); err == nil || !strings.Contains(err.Error(), "not H.264: choose a raw format and an encoder") {
		t.Errorf("H.264 from a raw camera: %v", err)
	}
}

// TestV4L2Controls: a spec's ctrl. options set the camera's controls
// when it opens, by number or menu item; a control or item the camera
// lacks, or a value out of range, is a setup error that says what it has.
func TestV4L2Controls(t *testing.T) {
	const base = "v4l2:/dev/video0?format=h264&fps=30&width=640&height=480"
	r := newRig(t, base+"&ctrl.brightness=200&ctrl.power_line_frequency=60_hz&ctrl.horizontal_flip=1&ctrl.contrast=-7")
	r.cam.Frames = clipAUs(t)
	run := r.start(t)
	run.wait(t, 1)
	run.stop(t)
	for _, c := range []struct {
		id   uint32
		want int64
	}{{v4l2.CIDBrightness, 200}, {v4l2.CIDPowerLineFrequency, 2}, {v4l2.CIDHFlip, 1}, {v4l2.CIDContrast, -7}} {
		if got := r.cam.Value(c.id); got != c.want {
			t.Errorf("control 0x%x = %d, want %d", c.id, got, c.want)
		}
	}
	waitLog(t, r.logs, "control=power_line_frequency value=60_hz")

	for _, tc := range []struct{ opt, want string }{
		{"ctrl.zoom=2", "camera has no control zoom; it has brightness, contrast, horizontal_flip, power_line_frequency, integer_64_bits"},
		{"ctrl.power_line_frequency=auto", "control power_line_frequency = auto: want one of disabled, 50_hz, 60_hz, or its number"},
		{"ctrl.brightness=256", "control brightness = 256: want 0 to 255"},
		{"ctrl.brightness=bright", "control brightness = bright: it takes a number, 0 to 255"},
		{"ctrl.firmware_version=1", "camera has no control firmware_version"}, // read-only
	} {
		r := newRig(t, base+"&"+tc.opt)
		// Bounded: a camera that took the control would stream until the
		// context ended.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := r.src.Run(ctx, func(*media.Frame) {})
		cancel()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Run = %v, want an error mentioning %q", tc.opt, err, tc.want)
		}
	}
}

// TestV4L2Stall: a camera that stops delivering frames is reopened.
func TestV4L2Stall(t *testing.T) {
	r := newRig(t, "v4l2:/dev/video0?format=h264&width=640&height=480")
	r.cam.Frames = clipAUs(t)
	r.src.FrameTimeout = 50 * time.Millisecond
	run := r.start(t)
	run.wait(t, 5)
	r.cam.Stall(true)
	waitLog(t, r.logs, "capture failed; reopening the camera")
	r.cam.Stall(false)
	run.wait(t, 5)
	run.stop(t)
}

func TestPTSMapper(t *testing.T) {
	epoch := time.Unix(1000, 0)
	clk := clock.NewFake(epoch.Add(10 * time.Second))
	mono := 500 * time.Second
	env := capture.Env{Clock: clk, Epoch: epoch}
	m := newPTSMapper(env, func() time.Duration { return mono })

	// Monotonic timestamps: capture time on the media time base.
	pts, age, ok := m.pts(mono-30*time.Millisecond, true)
	if pts != 10*time.Second-30*time.Millisecond || age != 30*time.Millisecond || !ok {
		t.Errorf("monotonic: pts %v age %v %v", pts, age, ok)
	}
	// The same timestamp again: still strictly increasing.
	if pts2, _, _ := m.pts(mono-30*time.Millisecond, true); pts2 != pts+time.Millisecond {
		t.Errorf("repeat: pts %v, want %v", pts2, pts+time.Millisecond)
	}
	// A nominal timestamp a little ahead (vivid's end of frame period).
	clk.Advance(100 * time.Millisecond)
	mono += 100 * time.Millisecond
	if p, age, ok := m.pts(mono+5*time.Millisecond, true); p != 10*time.Second+105*time.Millisecond || age != -5*time.Millisecond || !ok {
		t.Errorf("slightly ahead: pts %v age %v %v", p, age, ok)
	}
	// Timestamps of another clock: anchored at arrival, spaced as given.
	clk.Advance(time.Second)
	p1, _, ok := m.pts(5*time.Second, false)
	p2, _, _ := m.pts(5*time.Second+40*time.Millisecond, false)
	if p1 != 11*time.Second+100*time.Millisecond || ok || p2-p1 != 40*time.Millisecond {
		t.Errorf("fallback: %v then %v (%v)", p1, p2, ok)
	}
	// A timestamp too far from now on the monotonic clock is not trusted.
	if p3, _, ok := m.pts(mono+time.Hour, true); p3 <= p2 || ok {
		t.Errorf("future timestamp: pts %v after %v (%v)", p3, p2, ok)
	}
	// A jump in the other clock re-anchors at arrival.
	clk.Advance(100 * time.Millisecond)
	if p4, _, _ := m.pts(500*time.Second, false); p4 != 11*time.Second+200*time.Millisecond {
		t.Errorf("after a jump: pts %v", p4)
	}
}
