//go:build linux

package v4l2cam

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"slices"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/p2pcam/p2pcam/capture"
	"github.com/p2pcam/p2pcam/capture/v4l2"
	"github.com/p2pcam/p2pcam/internal/clock"
	"github.com/p2pcam/p2pcam/media"
)

// Source captures H.264 from a V4L2 camera, as its Spec says: from a
// camera that encodes H.264 itself, or from a raw camera through a V4L2
// M2M encoder or libx264. Frames are stamped with their capture time,
// from the buffers' CLOCK_MONOTONIC timestamps.
//
// A raw camera is shared by every source of the same Cameras set that
// names it: one goroutine streams it and copies each picture out of the
// driver's buffer into a queue for each source (two pictures deep;
// when one is full its oldest picture is dropped and counted, so a
// slow encoder never holds up the camera or the other streams). Each
// source encodes, scaled when its spec says so, on its own Run
// goroutine. The camera is opened by the first source to run, with
// that source's Sys, Buffers and FrameTimeout, and closed when the last
// one stops.
//
// A camera that goes away (unplugged, driver reset), stops delivering
// frames for FrameTimeout, or fails is closed and opened again after a
// backoff that doubles from MinBackoff to MaxBackoff; the log says so.
// Viewers see a gap, then the stream goes on from an IDR. When the
// camera is not back within GoneGrace, Run returns the error, which ends
// the viewers' streams (the stream hub starts the source again for the
// next viewer). Errors that waiting cannot fix (a format the camera does
// not offer, a missing encoder) end Run at once.
//
// Set the exported fields before Run; SetBitrate and ForceKeyframe may
// be called at any time, from any goroutine.
type Source struct {
	spec    Spec
	env     capture.Env
	cameras *Cameras // where it meets the other sources of its camera

	// Sys is the kernel seam; it defaults to v4l2.Kernel.
	Sys v4l2.Sys
	// MinBackoff defaults to 500ms.
	MinBackoff time.Duration
	// MaxBackoff defaults to 30s.
	MaxBackoff time.Duration
	// StableAfter is how long a run must last for the backoff to start
	// again from MinBackoff. It defaults to 30s.
	StableAfter time.Duration
	// GoneGrace is how long the camera may stay away, from the first
	// failure of a row of them, before Run gives up. It defaults to 10s.
	GoneGrace time.Duration
	// FrameTimeout is how long to wait for a frame before the camera is
	// taken for stalled and reopened. It defaults to 5s.
	FrameTimeout time.Duration
	// Buffers is the number of buffers asked of each queue. It defaults
	// to 4. (The camera's are copied out at once, so few are enough.)
	Buffers int
	// Monotonic reads CLOCK_MONOTONIC, the clock of buffer timestamps;
	// it defaults to v4l2.MonotonicNow.
	Monotonic func() time.Duration

	mu      sync.Mutex     // guards the fields below
	bitrate int            // target bits per second
	ctl     encoderControl // the running encoder; nil when not running
}

// The defaults of Source.FrameTimeout and Source.Buffers, which
// Cameras.Luma takes too.
const (
	defaultFrameTimeout = 5 * time.Second
	defaultBuffers      = 4
)

// encoderControl is the running encoder's side of capture.BitrateSetter
// and capture.KeyframeForcer.
type encoderControl interface {
	setBitrate(bps int) error
	forceKeyframe() error
}

var (
	_ capture.Source         = (*Source)(nil)
	_ capture.BitrateSetter  = (*Source)(nil)
	_ capture.KeyframeForcer = (*Source)(nil)
)

// NewSource returns a source that captures as spec says and shares its
// camera with the other sources of cs that name it. Nothing is opened
// until Run.
func (cs *Cameras) NewSource(spec Spec, env capture.Env) (*Source, error) {
	return &Source{spec: spec, env: env, cameras: cs, bitrate: spec.bitrate()}, nil
}

// Spec returns the source's spec.
func (s *Source) Spec() Spec { return s.spec }

// SetBitrate implements capture.BitrateSetter.
func (s *Source) SetBitrate(bps int) error {
	if bps < 1000 || bps > maxV4L2Bitrate {
		return fmt.Errorf("capture: bit rate %d out of range 1000-%d", bps, maxV4L2Bitrate)
	}
	s.mu.Lock()
	s.bitrate = bps
	ctl := s.ctl
	s.mu.Unlock()
	if ctl == nil {
		return nil
	}
	return ctl.setBitrate(bps)
}

// ForceKeyframe implements capture.KeyframeForcer.
func (s *Source) ForceKeyframe() error {
	s.mu.Lock()
	ctl := s.ctl
	s.mu.Unlock()
	if ctl == nil {
		return capture.ErrNotRunning
	}
	return ctl.forceKeyframe()
}

// Bitrate returns the target bit rate the encoder is asked for.
func (s *Source) Bitrate() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bitrate
}

func (s *Source) setControl(c encoderControl) {
	s.mu.Lock()
	s.ctl = c
	s.mu.Unlock()
}

// fatalError marks an error that reopening cannot fix.
type fatalError struct{ err error }

func (e *fatalError) Error() string { return e.err.Error() }
func (e *fatalError) Unwrap() error { return e.err }

func fatal(err error) error { return &fatalError{err} }

func fatalf(format string, args ...any) error { return fatal(fmt.Errorf(format, args...)) }

// isGone reports whether err says a device node went away.
func isGone(err error) bool {
	return errors.Is(err, v4l2.ErrGone) || errors.Is(err, fs.ErrNotExist)
}

// Check implements capture.Checker: the device node exists.
func (s *Source) Check() error {
	if _, err := os.Stat(s.spec.Device); err != nil {
		return fmt.Errorf("capture: %s: %w (is the camera plugged in? p2pcamd --list-devices shows what there is)", s.spec.Device, err)
	}
	return nil
}

// Run implements capture.Source.
func (s *Source) Run(ctx context.Context, emit func(*media.Frame)) error {
	env := s.env.WithDefaults()
	log := env.Logger.With("source", "v4l2", "device", s.spec.Device)
	mono := s.Monotonic
	if mono == nil {
		mono = v4l2.MonotonicNow
	}
	pm := newPTSMapper(env, mono)
	retry := capture.Backoff{
		Min:    orDuration(s.MinBackoff, 500*time.Millisecond),
		Max:    orDuration(s.MaxBackoff, 30*time.Second),
		Stable: orDuration(s.StableAfter, 30*time.Second),
	}
	grace := orDuration(s.GoneGrace, 10*time.Second)
	var down time.Time // first failure of the current row; zero while capturing
	for {
		started := env.Clock.Now()
		frames, err := s.runOnce(ctx, env, log, pm, emit)
		if ctx.Err() != nil {
			return nil
		}
		if fe := (*fatalError)(nil); errors.As(err, &fe) {
			return fmt.Errorf("capture: %s: %w", s.spec.Device, fe.err)
		}
		now := env.Clock.Now()
		delay := retry.After(now.Sub(started))
		if frames > 0 || down.IsZero() {
			down = now
		}
		left := grace - now.Sub(down)
		if left <= 0 {
			return fmt.Errorf("capture: %s: not back after %v, giving up: %w", s.spec.Device, grace, err)
		}
		wait := min(delay, left)
		if isGone(err) {
			log.Warn("camera is gone (unplugged?); reopening it", "err", err, "frames", frames, "reopen_in", wait, "give_up_in", left)
		} else {
			log.Warn("capture failed; reopening the camera", "err", err, "frames", frames, "reopen_in", wait, "give_up_in", left)
		}
		if clock.SleepUntil(ctx, env.Clock, env.Clock.Now().Add(wait)) != nil {
			return nil
		}
	}
}

// v4l2PixFmt maps a spec's format name to the camera's pixel format.
var v4l2PixFmt = map[string]v4l2.PixelFormat{
	"h264":  v4l2.PixFmtH264,
	"yuyv":  v4l2.PixFmtYUYV,
	"uyvy":  v4l2.PixFmtUYVY,
	"nv12":  v4l2.PixFmtNV12,
	"yu12":  v4l2.PixFmtYUV420,
	"mjpeg": v4l2.PixFmtMJPEG,
}

// rawPixFmt maps raw pixel formats to the converters' names.
var rawPixFmt = map[v4l2.PixelFormat]pixfmt{
	v4l2.PixFmtYUYV:   pixYUYV,
	v4l2.PixFmtUYVY:   pixUYVY,
	v4l2.PixFmtNV12:   pixNV12,
	v4l2.PixFmtYUV420: pixYU12,
	v4l2.PixFmtMJPEG:  pixMJPEG,
	v4l2.PixFmtJPEG:   pixMJPEG,
}

// camera is an open, configured camera.
type camera struct {
	dev    *v4l2.Device
	typ    v4l2.BufType
	format v4l2.Format
	raw    layout // of raw formats
	fps    float64
}

// runOnce opens the camera (and encoder), streams until something fails
// or ctx ends, and returns how many frames it emitted and why it ended.
func (s *Source) runOnce(ctx context.Context, env capture.Env, log *slog.Logger, pm *ptsMapper, emit func(*media.Frame)) (int, error) {
	pm.reset()
	sys := s.Sys
	if sys == nil {
		sys = v4l2.Kernel
	}
	stats := &captureStats{}
	sink := newH264Sink(env, log, pm, stats, s.spec.statsEvery(), emit)
	timeout := orDuration(s.FrameTimeout, defaultFrameTimeout)
	buffers := s.Buffers
	if buffers <= 0 {
		buffers = defaultBuffers
	}
	if s.spec.Encoder == "" {
		return s.runH264Camera(ctx, sys, log, stats, sink, buffers, timeout)
	}

	var enc *v4l2.Device // an M2M encoder
	var encFormats []v4l2.FormatDesc
	if s.spec.usesM2M() {
		var err error
		if enc, encFormats, err = openM2M(sys, s.spec.Encoder); err != nil {
			return 0, err
		}
		defer enc.Close()
	}
	c, r, err := s.cameras.attach(ctx, cameraRequest{
		sys: sys, spec: s.spec, encFormats: encFormats, buffers: buffers, timeout: timeout, log: log,
		depth: readerQueue, onDrop: stats.drop,
	})
	if err != nil {
		return 0, err
	}
	defer c.detach(r)

	w, h := c.cam.raw.w, c.cam.raw.h
	if s.spec.ScaleWidth > 0 {
		if s.spec.ScaleWidth > w || s.spec.ScaleHeight > h {
			return 0, fatalf("scale %dx%d is larger than the camera's picture, %dx%d: scale only shrinks", s.spec.ScaleWidth, s.spec.ScaleHeight, w, h)
		}
		w, h = s.spec.ScaleWidth, s.spec.ScaleHeight
	}
	opts := encoderOptions{
		cam: c.cam, src: c.copy, width: w, height: h,
		spec: s.spec, bitrate: s.Bitrate(), buffers: buffers, timeout: timeout, log: log,
	}
	var raw rawEncoder
	if enc != nil {
		m, err := newM2MEncoder(enc, opts)
		if err != nil {
			return 0, err
		}
		raw = m
	} else {
		x, err := newSoftEncoder(opts, sink)
		if err != nil {
			return 0, err
		}
		defer x.close()
		raw = x
	}
	s.setControl(raw)
	defer s.setControl(nil)

	attrs := []any{"driver", c.caps.Driver, "card", c.caps.Card, "format", c.cam.format.String(), "fps", round2(c.cam.fps),
		"encoder", s.spec.Encoder, "bitrate", s.Bitrate(), "gop", s.spec.gop(c.cam.fps)}
	if w != c.cam.raw.w || h != c.cam.raw.h {
		attrs = append(attrs, "scale", fmt.Sprintf("%dx%d", w, h))
	}
	log.Info("capturing", append(attrs, "camera_streams", c.fan.count())...)

	if m, ok := raw.(*m2mEncoder); ok {
		return m.run(ctx, c, r, sink)
	}
	for {
		fr, err := r.next(ctx, c.done)
		if err != nil {
			if ctx.Err() != nil {
				return sink.frames, ctx.Err()
			}
			return sink.frames, c.stopped()
		}
		err = raw.encode(ctx, fr)
		fr.release()
		if err != nil {
			return sink.frames, err
		}
	}
}

// runH264Camera streams a camera that encodes H.264 itself: its buffers
// are access units, framed as they come. Such a camera is not shared.
func (s *Source) runH264Camera(ctx context.Context, sys v4l2.Sys, log *slog.Logger, stats *captureStats, sink *h264Sink, buffers int, timeout time.Duration) (int, error) {
	dev, err := v4l2.OpenWith(sys, s.spec.Device)
	if err != nil {
		return 0, classifyOpen(err, "camera")
	}
	defer dev.Close()
	caps := dev.Capability()
	if !caps.IsCapture() || caps.IsM2M() {
		return 0, fatalf("%s (%s) is not a camera: %v; p2pcamd --list-devices lists the devices", s.spec.Device, caps.Card, caps.Node())
	}
	cam, err := setupCamera(dev, s.spec, nil, log)
	if err != nil {
		return 0, err
	}
	s.setControl(cameraControl{dev})
	defer s.setControl(nil)
	if _, err := dev.RequestBuffers(cam.typ, buffers); err != nil {
		return 0, classifySetup(err)
	}
	if err := dev.QueueAll(cam.typ); err != nil {
		return 0, err
	}
	if err := dev.StreamOn(cam.typ); err != nil {
		return 0, classifySetup(err)
	}
	log.Info("capturing", "driver", caps.Driver, "card", caps.Card, "format", cam.format.String(), "fps", round2(cam.fps), "encoder", "camera")
	_ = dev.ForceKeyFrame() // best effort: most UVC cameras cannot
	err = streamCamera(ctx, cam, timeout, stats.drop, func(b v4l2.Buffer, deq time.Time) error {
		sink.write(b.Data(), bufTiming{ts: b.Timestamp, monotonic: b.Flags.Monotonic(), dequeued: deq})
		return nil
	})
	return sink.frames, err
}

// classifyOpen sorts a failure to open a device: a node that is not
// there (yet) or busy is worth waiting for; no permission or not a V4L2
// device is not.
func classifyOpen(err error, what string) error {
	switch {
	case errors.Is(err, unix.EACCES), errors.Is(err, unix.EPERM):
		return fatalf("%w; add the user p2pcamd runs as to the group owning the %s (usually 'video')", err, what)
	case errors.Is(err, v4l2.ErrNotV4L2):
		return fatal(err)
	}
	return err
}

// classifySetup sorts a failure while configuring: the device going away
// or being busy is worth waiting for; a refused request is not.
func classifySetup(err error) error {
	if isGone(err) || errors.Is(err, unix.EBUSY) || errors.Is(err, unix.EIO) {
		return err
	}
	return fatal(err)
}

// setupCamera picks and sets the camera's format, size and frame rate.
// encFormats are the raw formats an M2M encoder takes, preferred when
// the spec leaves the format open.
func setupCamera(dev *v4l2.Device, spec Spec, encFormats []v4l2.FormatDesc, log *slog.Logger) (camera, error) {
	cam := camera{dev: dev, typ: dev.Capability().CaptureType()}
	offered, err := dev.Formats(cam.typ)
	if err != nil {
		return cam, classifySetup(err)
	}
	has := func(list []v4l2.FormatDesc, pf v4l2.PixelFormat) bool {
		for _, f := range list {
			if f.PixelFormat == pf || (pf == v4l2.PixFmtMJPEG && f.PixelFormat == v4l2.PixFmtJPEG) {
				return true
			}
		}
		return false
	}
	names := func(list []v4l2.FormatDesc) string {
		var out []string
		for _, f := range list {
			out = append(out, f.PixelFormat.String())
		}
		return fmt.Sprint(out)
	}
	want := spec.Format
	if want == "" && spec.Encoder == "" {
		want = "h264"
	}
	if want == "" {
		// The first raw format the camera offers, one the encoder takes
		// as it is first.
		for _, pass := range []bool{true, false} {
			for _, name := range v4l2Formats[1:] {
				pf := v4l2PixFmt[name]
				if has(offered, pf) && (!pass || (pf != v4l2.PixFmtMJPEG && has(encFormats, pf))) {
					want = name
					break
				}
			}
			if want != "" {
				break
			}
		}
		if want == "" {
			return cam, fatalf("camera offers %s: none of yuyv, nv12, yu12, uyvy or mjpeg", names(offered))
		}
	}
	pf := v4l2PixFmt[want]
	if !has(offered, pf) {
		if pf == v4l2.PixFmtH264 {
			return cam, fatalf("camera offers %s, not H.264: choose a raw format and an encoder (format=yuyv&encoder=x264, or encoder=/dev/video11 on a Raspberry Pi)", names(offered))
		}
		return cam, fatalf("camera offers %s, not %s", names(offered), want)
	}
	if pf == v4l2.PixFmtMJPEG && !slices.ContainsFunc(offered, func(f v4l2.FormatDesc) bool { return f.PixelFormat == pf }) {
		pf = v4l2.PixFmtJPEG // the same, under its other name
	}
	w, h := uint32(spec.Width), uint32(spec.Height)
	if w == 0 {
		cur, err := dev.GetFormat(cam.typ)
		if err != nil {
			return cam, classifySetup(err)
		}
		w, h = cur.Width, cur.Height
	}
	f, err := dev.SetFormat(cam.typ, pf, w, h)
	if err != nil {
		return cam, classifySetup(err)
	}
	if f.PixelFormat != pf {
		return cam, fatalf("camera chose %v when asked for %v", f.PixelFormat, pf)
	}
	if f.Width != w || f.Height != h {
		log.Info("camera adjusted the picture size", "asked", fmt.Sprintf("%dx%d", w, h), "got", fmt.Sprintf("%dx%d", f.Width, f.Height))
	}
	cam.format = f
	if pf != v4l2.PixFmtH264 {
		if f.Width%2 != 0 || f.Height%2 != 0 {
			return cam, fatalf("camera picture %dx%d has an odd side; H.264 encoders need even ones", f.Width, f.Height)
		}
		if p := rawPixFmt[pf]; p != pixMJPEG {
			bpl, size := planeSizes(f)
			if cam.raw, err = newLayout(p, int(f.Width), int(f.Height), bpl, size); err != nil {
				return cam, fatal(err)
			}
		} else {
			cam.raw = layout{pf: pixMJPEG, w: int(f.Width), h: int(f.Height)}
		}
	}
	if spec.FPS > 0 {
		tpf, err := dev.SetFrameRate(spec.FPS)
		if err != nil {
			if isGone(err) {
				return cam, err
			}
			log.Warn("camera cannot set its frame rate", "fps", spec.FPS, "err", err)
		} else {
			cam.fps = tpf.FPS()
		}
	}
	if cam.fps == 0 {
		if tpf, _, err := dev.FrameRate(); err == nil {
			cam.fps = tpf.FPS()
		}
	}
	if cam.fps == 0 {
		cam.fps = spec.FPS
	}
	if err := setControls(dev, spec.Controls, log); err != nil {
		return cam, err
	}
	return cam, nil
}

// planeSizes returns the bytes per line and image size of each plane.
func planeSizes(f v4l2.Format) (bpl, size []int) {
	for _, p := range f.Planes {
		bpl = append(bpl, int(p.BytesPerLine))
		size = append(size, int(p.SizeImage))
	}
	if len(bpl) == 0 {
		bpl, size = []int{0}, []int{0}
	}
	return bpl, size
}

// streamCamera hands each filled buffer of the camera to handle, with
// the time it was dequeued, then gives it back to the driver, until an
// error or ctx ends. Gaps in the driver's sequence numbers and damaged
// buffers count as drops.
func streamCamera(ctx context.Context, cam camera, timeout time.Duration, drop func(int), handle func(v4l2.Buffer, time.Time) error) error {
	var last uint32
	first := true
	for {
		// Next takes a ready buffer without waiting, and so without
		// looking at ctx: a pipeline slower than its camera always
		// finds one.
		if err := ctx.Err(); err != nil {
			return err
		}
		b, err := cam.dev.Next(ctx, cam.typ, timeout)
		if err != nil {
			return err
		}
		deq := time.Now()
		if !first && b.Sequence > last+1 {
			drop(int(b.Sequence - last - 1))
		}
		first, last = false, b.Sequence
		var herr error
		if b.Flags.Error() || b.BytesUsed() == 0 {
			drop(1)
		} else {
			herr = handle(b, deq)
		}
		if err := cam.dev.Queue(cam.typ, b.Index); err != nil {
			return err
		}
		if herr != nil {
			return herr
		}
	}
}

// cameraControl controls a camera that encodes H.264 itself, through the
// codec controls it may have (few UVC cameras do).
type cameraControl struct{ dev *v4l2.Device }

func (c cameraControl) setBitrate(bps int) error {
	if _, err := c.dev.QueryControl(v4l2.CIDVideoBitrate); err != nil {
		return fmt.Errorf("%w: %s has no bit rate control", capture.ErrNotSupported, c.dev.Path())
	}
	return c.dev.SetControls(v4l2.ControlValue{ID: v4l2.CIDVideoBitrate, Value: int64(bps)})
}

func (c cameraControl) forceKeyframe() error {
	if _, err := c.dev.QueryControl(v4l2.CIDVideoForceKeyFrame); err != nil {
		return fmt.Errorf("%w: %s has no force-key-frame control", capture.ErrNotSupported, c.dev.Path())
	}
	return c.dev.ForceKeyFrame()
}

// orDuration returns d, or def when d is not positive.
func orDuration(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
