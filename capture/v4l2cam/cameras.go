//go:build linux

package v4l2cam

import (
	"context"
	"errors"
	"log/slog"
	"reflect"
	"sync"
	"time"

	"github.com/p2pcam/p2pcam/capture/v4l2"
)

// Cameras is a set of raw V4L2 cameras being read, where the sources
// made from it (NewSource, Open) that name the same camera meet to share
// it (see Spec): the first to start opens it, each of them reads every
// picture through a queue of its own, and the last to stop closes it.
//
// The caller owns it: a camera streams to one reader at a time, so the
// composition root makes one set and makes every V4L2 source of the
// process from it. A set holds nothing open once its sources have
// stopped; there is nothing to close. Its zero value is not usable; use
// NewCameras.
type Cameras struct {
	mu   sync.Mutex // guards open and every rawCamera's readers and closing
	open map[cameraKey]*rawCamera
}

// NewCameras returns an empty set.
func NewCameras() *Cameras { return &Cameras{open: make(map[cameraKey]*rawCamera)} }

// cameraKey names a camera: its path under one Sys (tests run fake
// kernels side by side).
type cameraKey struct {
	sys  v4l2.Sys
	path string
}

// rawCamera is a raw camera opened for the sources that share it: one
// goroutine streams it, copies each picture out of the driver's buffer
// (so the driver gets it back at once) and fans it out.
type rawCamera struct {
	set  *Cameras
	key  cameraKey
	spec Spec // what the opener asked of the camera (see sameCamera)
	caps v4l2.Capability
	cam  camera
	// copy is the layout of the pictures handed out: the camera's
	// format and size, planes packed one after the other in one buffer.
	// MJPEG frames are handed out as they are.
	copy layout
	size int // bytes of a raw picture laid out as copy
	fan  fanout
	log  *slog.Logger

	ready  chan struct{} // closed once opening has succeeded or failed
	done   chan struct{} // closed once capture has ended and the device is closed
	err    error         // why capture or opening ended; read after done
	cancel context.CancelFunc

	readers int  // sources attached; guarded by set.mu
	closing bool // the last reader left; guarded by set.mu
}

// cameraRequest is what a source attaching to a camera brings along, in
// case it is the one that opens it.
type cameraRequest struct {
	sys        v4l2.Sys
	spec       Spec
	encFormats []v4l2.FormatDesc // raw formats its M2M encoder takes
	buffers    int
	timeout    time.Duration
	log        *slog.Logger
	depth      int       // of its queue
	onDrop     func(int) // counts the pictures it misses
}

// shareable reports whether sys can be a map key: any Sys of a
// comparable type (the real kernel, fakes behind pointers).
func shareable(sys v4l2.Sys) bool { return reflect.TypeOf(sys).Comparable() }

// attach returns the camera req names and a reader of its pictures,
// opening and starting the camera when no other source has it open.
// Errors are those of opening it, or a fatal one when the camera is open
// for another source that asked something else of it.
func (cs *Cameras) attach(ctx context.Context, req cameraRequest) (*rawCamera, *rawReader, error) {
	set := cs
	if !shareable(req.sys) {
		set = NewCameras() // cannot be looked up: not shared
	}
	key := cameraKey{req.sys, req.spec.Device}
	for {
		set.mu.Lock()
		c := set.open[key]
		if c == nil {
			// Open it; those who come meanwhile wait for ready.
			c = &rawCamera{set: set, key: key, spec: req.spec, log: req.log,
				ready: make(chan struct{}), done: make(chan struct{}), readers: 1}
			set.open[key] = c
			set.mu.Unlock()
			r := c.fan.add(req.depth, req.onDrop)
			if err := c.start(req); err != nil {
				set.mu.Lock()
				delete(set.open, key)
				set.mu.Unlock()
				c.err = err
				close(c.ready)
				close(c.done)
				return nil, nil, err
			}
			close(c.ready)
			return c, r, nil
		}
		var wait <-chan struct{}
		select {
		case <-c.ready:
			if !c.closing {
				if !c.spec.sameCamera(req.spec) {
					set.mu.Unlock()
					return nil, nil, fatalf("another stream has the camera open with %s; this one asks for %s: give every stream of a camera the same format, width, height and fps", c.spec.cameraString(), req.spec.cameraString())
				}
				c.readers++
				set.mu.Unlock()
				return c, c.fan.add(req.depth, req.onDrop), nil
			}
			wait = c.done // the last reader left: wait until it is closed
		default:
			wait = c.ready // being opened
		}
		set.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		}
	}
}

// detach removes a reader; the last one to go stops the camera and
// waits until the device is closed.
func (c *rawCamera) detach(r *rawReader) {
	c.fan.remove(r)
	c.set.mu.Lock()
	c.readers--
	last := c.readers == 0
	if last {
		c.closing = true
		c.cancel()
	}
	c.set.mu.Unlock()
	if last {
		<-c.done
	}
}

// stopped returns why capture ended, once done is closed.
func (c *rawCamera) stopped() error {
	if c.err == nil {
		return errCameraStopped
	}
	return c.err
}

// start opens and sets up the camera, and starts streaming it on a
// goroutine of its own.
func (c *rawCamera) start(req cameraRequest) error {
	dev, err := v4l2.OpenWith(req.sys, req.spec.Device)
	if err != nil {
		return classifyOpen(err, "camera")
	}
	fail := func(err error) error {
		dev.Close()
		return err
	}
	c.caps = dev.Capability()
	if !c.caps.IsCapture() || c.caps.IsM2M() {
		return fail(fatalf("%s (%s) is not a camera: %v; p2pcamd --list-devices lists the devices", req.spec.Device, c.caps.Card, c.caps.Node()))
	}
	if c.cam, err = setupCamera(dev, req.spec, req.encFormats, req.log); err != nil {
		return fail(err)
	}
	if c.cam.raw.pf == pixMJPEG {
		c.copy = c.cam.raw
	} else {
		if c.copy, err = newLayout(c.cam.raw.pf, c.cam.raw.w, c.cam.raw.h, []int{0}, []int{0}); err != nil {
			return fail(fatal(err))
		}
		c.size = c.copy.planes[len(c.copy.planes)-1].end()
	}
	if _, err := dev.RequestBuffers(c.cam.typ, req.buffers); err != nil {
		return fail(classifySetup(err))
	}
	if err := dev.QueueAll(c.cam.typ); err != nil {
		return fail(err)
	}
	if err := dev.StreamOn(c.cam.typ); err != nil {
		return fail(classifySetup(err))
	}
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	c.log.Info("camera opened", "driver", c.caps.Driver, "card", c.caps.Card, "format", c.cam.format.String(), "fps", round2(c.cam.fps))
	go c.run(ctx, req.timeout)
	return nil
}

// run streams the camera until ctx ends (the last reader left) or it
// fails, then closes it and tells the readers.
func (c *rawCamera) run(ctx context.Context, timeout time.Duration) {
	err := streamCamera(ctx, c.cam, timeout, c.fan.lost, func(b v4l2.Buffer, deq time.Time) error {
		var fr *rawFrame
		if c.copy.pf == pixMJPEG {
			fr = c.fan.frame(len(b.Data()))
			copy(fr.data, b.Data())
		} else {
			fr = c.fan.frame(c.size)
			if err := copyPicture(c.copy, [][]byte{fr.data}, c.cam.raw, b.Planes); err != nil {
				fr.refs.Store(1)
				fr.release()
				c.fan.lost(1)
				c.log.Warn("dropping a picture", "err", err)
				return nil
			}
		}
		fr.ts, fr.monotonic, fr.dequeued = b.Timestamp, b.Flags.Monotonic(), deq
		c.fan.publish(fr)
		return nil
	})
	c.cam.dev.Close()
	if ctx.Err() != nil {
		err = nil // stopped on purpose
		c.log.Info("camera closed: no stream reads it")
	}
	c.set.mu.Lock()
	if c.set.open[c.key] == c {
		delete(c.set.open, c.key)
	}
	c.set.mu.Unlock()
	if err != nil && !errors.Is(err, context.Canceled) {
		c.err = err
	}
	close(c.done)
}
