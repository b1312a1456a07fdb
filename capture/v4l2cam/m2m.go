//go:build linux

package v4l2cam

import (
	"context"
	"errors"
	"fmt"
	"image"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/p2pcam/p2pcam/capture"
	"github.com/p2pcam/p2pcam/capture/v4l2"
)

// openM2M opens a V4L2 stateful encoder (linux/Documentation
// dev-encoder.rst) and returns it with the raw formats it takes.
func openM2M(sys v4l2.Sys, path string) (*v4l2.Device, []v4l2.FormatDesc, error) {
	dev, err := v4l2.OpenWith(sys, path)
	if err != nil {
		if isGone(err) {
			return nil, nil, fatalf("encoder %s is missing (%w): is its driver loaded (bcm2835-codec on a Raspberry Pi)? p2pcamd --list-devices lists the devices", path, err)
		}
		return nil, nil, classifyOpen(err, "encoder")
	}
	caps := dev.Capability()
	fail := func(err error) (*v4l2.Device, []v4l2.FormatDesc, error) {
		dev.Close()
		return nil, nil, err
	}
	if !caps.IsM2M() {
		return fail(fatalf("%s (%s) is not a memory-to-memory encoder: %v", path, caps.Card, caps.Node()))
	}
	coded, err := dev.Formats(caps.CaptureType())
	if err != nil {
		return fail(classifySetup(err))
	}
	h264 := false
	for _, f := range coded {
		h264 = h264 || f.PixelFormat == v4l2.PixFmtH264
	}
	if !h264 {
		return fail(fatalf("%s (%s) does not encode H.264", path, caps.Card))
	}
	raw, err := dev.Formats(caps.OutputType())
	if err != nil {
		return fail(classifySetup(err))
	}
	return dev, raw, nil
}

// m2mEncoder feeds a shared camera's pictures to a V4L2 M2M encoder:
// raw pictures go into its OUTPUT queue (the camera's format when the
// encoder takes it and no scaling is asked, copied; else converted or
// scaled to YU12 or NV12), H.264 comes out of its CAPTURE queue, read by
// a goroutine of its own. Both queues use MMAP buffers. Each raw buffer
// carries the camera buffer's timestamp, which the encoder copies to the
// access unit it makes. Every stream has an encoder instance of its own:
// M2M drivers give each open file a context.
type m2mEncoder struct {
	dev      *v4l2.Device
	in, out  v4l2.BufType
	inFormat v4l2.Format
	inLayout layout
	src      layout       // of the pictures it is given
	direct   bool         // the camera's format goes in as it is
	sc       *scaler      // nil: encoded at the camera's size
	scratch  *image.YCbCr // I420 picture for conversions
	scratchB [][]byte     // scratch's planes, as scale takes them
	used     []int        // bytes used of each plane of a raw buffer
	free     []int        // raw buffers not queued
	timeout  time.Duration
	log      *slog.Logger

	monotonic  atomic.Bool // the camera's timestamps are CLOCK_MONOTONIC time
	hasBitrate bool
	hasKey     bool

	mu      sync.Mutex // guards pending and next
	pending [16]inFlight
	next    int
}

// inFlight is a picture in the encoder: its timestamp, when its camera
// buffer was dequeued and when it went in.
type inFlight struct {
	ts      time.Duration
	deq, at time.Time
}

// newM2MEncoder configures the encoder dev as opts says, in the order
// dev-encoder.rst gives: coded format, raw format, frame rate, controls,
// buffers, streaming.
func newM2MEncoder(dev *v4l2.Device, opts encoderOptions) (*m2mEncoder, error) {
	cam, src, w, h := opts.cam, opts.src, opts.width, opts.height
	caps := dev.Capability()
	e := &m2mEncoder{dev: dev, in: caps.OutputType(), out: caps.CaptureType(), src: src, timeout: opts.timeout, log: opts.log.With("encoder", dev.Path())}
	scaled := w != src.w || h != src.h
	if _, err := dev.SetFormat(e.out, v4l2.PixFmtH264, uint32(w), uint32(h)); err != nil {
		return nil, classifySetup(err)
	}
	raw, err := dev.Formats(e.in)
	if err != nil {
		return nil, classifySetup(err)
	}
	takes := func(pf v4l2.PixelFormat) bool {
		for _, f := range raw {
			if f.PixelFormat == pf {
				return true
			}
		}
		return false
	}
	inPF := cam.format.PixelFormat
	e.direct = src.pf != pixMJPEG && !scaled && takes(inPF)
	if !e.direct {
		switch {
		case takes(v4l2.PixFmtYUV420):
			inPF = v4l2.PixFmtYUV420
		case takes(v4l2.PixFmtNV12):
			inPF = v4l2.PixFmtNV12
		default:
			return nil, fatalf("encoder %s takes neither the camera's %v nor YU12 or NV12", dev.Path(), cam.format.PixelFormat)
		}
		if src.pf == pixMJPEG || !scaled {
			e.scratch = newI420(src.w, src.h)
			e.scratchB = [][]byte{e.scratch.Y, e.scratch.Cb, e.scratch.Cr}
		}
	}
	f, err := dev.SetFormat(e.in, inPF, uint32(w), uint32(h))
	if err != nil {
		return nil, classifySetup(err)
	}
	if f.PixelFormat != inPF || f.Width < uint32(w) || f.Height < uint32(h) {
		return nil, fatalf("encoder %s chose %v for %v %dx%d", dev.Path(), f, inPF, w, h)
	}
	// Drivers may round the height up (to 16 rows on the Pi) and crop
	// back to the picture: write the picture's size, with the encoder's
	// strides.
	bpl, size := planeSizes(f)
	if e.inLayout, err = newLayout(rawPixFmt[inPF], w, h, bpl, size); err != nil {
		return nil, fatal(err)
	}
	if scaled {
		from := src
		if src.pf == pixMJPEG {
			from = i420Layout(src.w, src.h)
		}
		if e.sc, err = newScaler(from, e.inLayout); err != nil {
			return nil, fatal(err)
		}
	}
	e.inFormat = f
	if cam.fps > 0 {
		if _, err := dev.SetFrameRate(cam.fps); err != nil {
			e.log.Warn("encoder cannot take the frame rate", "fps", cam.fps, "err", err)
		}
	}
	e.setControls(opts.spec, opts.bitrate, cam.fps)

	if _, err := dev.RequestBuffers(e.in, opts.buffers); err != nil {
		return nil, classifySetup(err)
	}
	if _, err := dev.RequestBuffers(e.out, opts.buffers); err != nil {
		return nil, classifySetup(err)
	}
	for i := range dev.Buffers(e.in) {
		e.free = append(e.free, i)
	}
	planes, err := dev.Mapped(e.in, 0)
	if err != nil {
		return nil, err
	}
	for i, p := range planes {
		n := len(p)
		if i < len(f.Planes) && f.Planes[i].SizeImage > 0 {
			n = min(n, int(f.Planes[i].SizeImage))
		}
		e.used = append(e.used, n)
	}
	if err := dev.QueueAll(e.out); err != nil {
		return nil, err
	}
	for _, t := range []v4l2.BufType{e.in, e.out} {
		if err := dev.StreamOn(t); err != nil {
			return nil, classifySetup(err)
		}
	}
	e.log.Info("encoder ready", "card", caps.Card, "input", f.String(), "direct", e.direct, "scaled", scaled)
	return e, nil
}

// setControls applies the spec's encoder settings one by one, so that a
// control the driver lacks costs a warning, not the stream.
func (e *m2mEncoder) setControls(spec Spec, bitrate int, fps float64) {
	set := func(name string, id uint32, v int64) bool {
		if err := e.dev.SetControls(v4l2.ControlValue{ID: id, Value: v}); err != nil {
			e.log.Warn("encoder refuses a control", "control", name, "value", v, "err", err)
			return false
		}
		return true
	}
	e.hasBitrate = set("bitrate", v4l2.CIDVideoBitrate, int64(bitrate))
	set("I-frame period", v4l2.CIDVideoH264IPeriod, int64(spec.gop(fps)))
	if spec.Profile != "" {
		p, _ := v4l2.ParseH264Profile(spec.Profile) // checked by ParseSpec
		set("profile", v4l2.CIDVideoH264Profile, p)
	}
	// SPS and PPS before every IDR; the Framer adds them when an encoder
	// ignores this, but a viewer joining needs them.
	set("repeat sequence header", v4l2.CIDVideoRepeatSeqHdr, 1)
	_, err := e.dev.QueryControl(v4l2.CIDVideoForceKeyFrame)
	e.hasKey = err == nil
}

func (e *m2mEncoder) setBitrate(bps int) error {
	if !e.hasBitrate {
		return fmt.Errorf("%w: encoder %s refused the bit rate control", capture.ErrNotSupported, e.dev.Path())
	}
	return e.dev.SetControls(v4l2.ControlValue{ID: v4l2.CIDVideoBitrate, Value: int64(bps)})
}

func (e *m2mEncoder) forceKeyframe() error {
	if !e.hasKey {
		return fmt.Errorf("%w: encoder %s has no force-key-frame control", capture.ErrNotSupported, e.dev.Path())
	}
	return e.dev.ForceKeyFrame()
}

// run streams: the camera's pictures into the encoder on this
// goroutine, its access units out on another, until either fails, the
// camera stops or ctx ends.
func (e *m2mEncoder) run(ctx context.Context, c *rawCamera, r *rawReader, sink *h264Sink) (int, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	done := make(chan struct{})
	go func() {
		defer close(done)
		cancel(e.drain(ctx, sink))
	}()
	var err error
	for err == nil {
		var fr *rawFrame
		if fr, err = r.next(ctx, c.done); err != nil {
			if errors.Is(err, errCameraStopped) {
				err = c.stopped()
			}
			break
		}
		err = e.encode(ctx, fr)
		fr.release()
	}
	cancel(err)
	<-done
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		err = cause // the reader's failure, or the camera's
	}
	return sink.frames, err
}

// encode puts one camera picture into a free raw buffer of the encoder.
func (e *m2mEncoder) encode(ctx context.Context, fr *rawFrame) error {
	e.monotonic.Store(fr.monotonic)
	idx, err := e.freeBuffer(ctx)
	if err != nil {
		return err
	}
	dst, err := e.dev.Mapped(e.in, idx)
	if err != nil {
		return err
	}
	frame := [][]byte{fr.data}
	switch {
	case e.direct:
		err = copyPicture(e.inLayout, dst, e.src, frame)
	case e.src.pf == pixMJPEG:
		if err = jpegToI420(e.scratch, fr.data); err == nil {
			if e.sc != nil {
				err = e.sc.scale(dst, e.scratchB)
			} else {
				err = fromI420(e.inLayout, dst, e.scratch)
			}
		}
	case e.sc != nil:
		err = e.sc.scale(dst, frame)
	default:
		if err = toI420(e.scratch, e.src, frame); err == nil {
			err = fromI420(e.inLayout, dst, e.scratch)
		}
	}
	if err != nil {
		e.free = append(e.free, idx)
		e.log.Warn("dropping a picture", "err", err)
		return nil
	}
	e.mu.Lock()
	e.pending[e.next%len(e.pending)] = inFlight{ts: fr.ts, deq: fr.dequeued, at: time.Now()}
	e.next++
	e.mu.Unlock()
	if err := e.dev.QueueOutput(e.in, idx, fr.ts, e.used...); err != nil {
		e.free = append(e.free, idx)
		return err
	}
	return nil
}

// freeBuffer returns a raw buffer the encoder is done with, waiting for
// one when all are queued.
func (e *m2mEncoder) freeBuffer(ctx context.Context) (int, error) {
	for {
		b, err := e.dev.Dequeue(e.in)
		if errors.Is(err, v4l2.ErrNotReady) {
			break
		}
		if err != nil {
			return 0, err
		}
		e.free = append(e.free, b.Index)
	}
	if len(e.free) == 0 {
		b, err := e.dev.Next(ctx, e.in, e.timeout)
		if err != nil {
			return 0, fmt.Errorf("encoder %s: %w", e.dev.Path(), err)
		}
		e.free = append(e.free, b.Index)
	}
	idx := e.free[len(e.free)-1]
	e.free = e.free[:len(e.free)-1]
	return idx, nil
}

// drain reads access units from the encoder until an error or ctx ends.
// There is no timeout: the encoder is idle whenever the camera is, and
// the camera's side notices a stall.
func (e *m2mEncoder) drain(ctx context.Context, sink *h264Sink) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		b, err := e.dev.Next(ctx, e.out, 0)
		if err != nil {
			return fmt.Errorf("encoder %s: %w", e.dev.Path(), err)
		}
		if b.Flags.Last() {
			return fmt.Errorf("encoder %s stopped (last buffer)", e.dev.Path())
		}
		if b.Flags.Error() || b.BytesUsed() == 0 {
			sink.stats.drop(1)
		} else {
			bt := bufTiming{ts: b.Timestamp, monotonic: e.monotonic.Load()}
			if q, ok := e.inFlight(b.Timestamp); ok {
				bt.dequeued, bt.encode = q.deq, time.Since(q.at)
			}
			sink.write(b.Data(), bt)
		}
		if err := e.dev.Queue(e.out, b.Index); err != nil {
			return fmt.Errorf("encoder %s: %w", e.dev.Path(), err)
		}
	}
}

// inFlight finds the picture with timestamp ts among those that went in.
func (e *m2mEncoder) inFlight(ts time.Duration) (inFlight, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, q := range e.pending {
		if q.ts == ts && !q.at.IsZero() {
			return q, true
		}
	}
	return inFlight{}, false
}
