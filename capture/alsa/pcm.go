//go:build linux

package alsa

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// PCM is an open PCM stream, set up and prepared. Read (capture) or
// Write (playback), Drain and Drop are meant for one goroutine at a
// time (they serialize); Params, Delay, XRuns and Close may be called
// from any goroutine at any time. Close wakes a pending Read, Write or
// Drain, which then returns an error matching ErrClosed.
type PCM struct {
	path   string
	dir    Direction
	sys    Sys
	fd     int
	info   StreamInfo
	params Params

	// timeout bounds a wait for the device: far longer than its buffer
	// lasts.
	timeout time.Duration

	// wake is an eventfd that Close signals to interrupt a poll; -1 if
	// eventfds are unavailable, in which case polls run in short slices.
	wake int

	// life is held shared while the descriptor is in use, and
	// exclusively by Close, so that the descriptor is never closed (and
	// its number reused) under a running ioctl or poll.
	life   sync.RWMutex
	closed atomic.Bool

	// io serializes the transfers and state changes.
	io sync.Mutex
	// started is whether a capture was started since it was last
	// prepared (guarded by io).
	started bool

	xruns atomic.Int64
}

// StreamInfo identifies the stream a PCM has open, as the kernel
// reports it (SNDRV_PCM_IOCTL_INFO).
type StreamInfo struct {
	Card, Device, Subdevice int
	Dir                     Direction
	// ID and Name are the PCM device's; Subname is the subdevice's.
	ID, Name, Subname string
}

// pollSlice bounds one poll when the PCM has no wake-up eventfd, so
// that Close is still noticed.
const pollSlice = 100 * time.Millisecond

// Open opens the PCM device called name for direction dir, with the
// parameters p or those nearest that the device supports. name is an
// ALSA name ("hw:0,0", "hw:Loopback,1", "hw:CARD=Loopback,DEV=1",
// "default" for hw:0,0) or the path of a device file
// ("/dev/snd/pcmC0D0c"). See Scanner.Open.
func Open(name string, dir Direction, p Params) (*PCM, error) {
	return Scanner{}.Open(name, dir, p)
}

// Open is Open with the Scanner's system, device and procfs
// directories, which resolve card ids.
func (s Scanner) Open(name string, dir Direction, p Params) (*PCM, error) {
	s = s.withDefaults()
	if dir != Capture && dir != Playback {
		return nil, fmt.Errorf("%w: direction %v", ErrUnsupported, dir)
	}
	if err := p.validate(); err != nil {
		return nil, err
	}
	path, err := s.resolve(name, dir)
	if err != nil {
		return nil, err
	}
	fd, err := s.Sys.Open(path, unix.O_RDWR|unix.O_NONBLOCK|unix.O_CLOEXEC)
	if err != nil {
		return nil, openError(path, err)
	}
	pcm := &PCM{path: path, dir: dir, sys: s.Sys, fd: fd, wake: -1}
	if err := pcm.setup(p); err != nil {
		_ = s.Sys.Close(fd)
		return nil, err
	}
	if wfd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK); err == nil {
		pcm.wake = wfd
	}
	return pcm, nil
}

// setup checks that the file is a PCM of the right direction, then
// negotiates the hardware and software parameters and prepares the
// stream.
func (p *PCM) setup(want Params) error {
	var v int32
	if err := p.rawIoctl(pcmIoctlPversion, unsafe.Pointer(&v)); err != nil {
		// ENOTTY from a kernel; ENOSYS from qemu-user, which does not
		// pass ALSA ioctls on.
		if errors.Is(err, unix.ENOTTY) || errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) {
			return fmt.Errorf("%w: %s: %w", ErrNotPCM, p.path, err)
		}
		return ioctlError(p.path, pcmIoctlPversion, err)
	}
	if protocolMajor(v) != protocolMajor(pcmVersion) {
		return fmt.Errorf("%w: %s: PCM protocol %d.%d.%d", ErrUnsupported, p.path, v>>16, v>>8&0xff, v&0xff)
	}
	var k pcmInfo
	if err := p.ioctl(pcmIoctlInfo, unsafe.Pointer(&k)); err != nil {
		return err
	}
	if k.Stream != stream(p.dir) {
		return fmt.Errorf("%w: %s is not a %v device", ErrNotPCM, p.path, p.dir)
	}
	p.info = StreamInfo{
		Card: int(k.Card), Device: int(k.Device), Subdevice: int(k.Subdevice), Dir: p.dir,
		ID: cString(k.ID[:]), Name: cString(k.Name[:]), Subname: cString(k.Subname[:]),
	}
	// Tell a newer kernel which protocol the package speaks; older ones
	// do not know the request.
	uv := int32(pcmVersion)
	_ = p.rawIoctl(pcmIoctlUserPversion, unsafe.Pointer(&uv))

	got, err := p.negotiate(want)
	if err != nil {
		return err
	}
	p.params = got
	p.timeout = max(2*time.Second, 8*got.Duration(got.BufferFrames))
	if err := p.setSwParams(); err != nil {
		return err
	}
	return p.prepare()
}

// Path returns the device file the PCM has open.
func (p *PCM) Path() string { return p.path }

// Info returns what the kernel says of the stream.
func (p *PCM) Info() StreamInfo { return p.info }

// Direction returns the PCM's direction.
func (p *PCM) Direction() Direction { return p.dir }

// Params returns the parameters the device chose.
func (p *PCM) Params() Params { return p.params }

// XRuns returns how many overruns (capture) or underruns (playback) the
// PCM has recovered from.
func (p *PCM) XRuns() int { return int(p.xruns.Load()) }

// Close closes the device, dropping any frames still queued for
// playback (call Drain first to hear them). It wakes a pending Read,
// Write or Drain, and waits for it to return before it closes the
// descriptor. Closing twice is harmless: the second call returns nil.
func (p *PCM) Close() error {
	if !p.closed.CompareAndSwap(false, true) {
		return nil
	}
	if p.wake >= 0 {
		var b [8]byte
		binary.NativeEndian.PutUint64(b[:], 1)
		_, _ = unix.Write(p.wake, b[:])
	}
	p.life.Lock()
	defer p.life.Unlock()
	var err error
	if cerr := p.sys.Close(p.fd); cerr != nil {
		err = fmt.Errorf("alsa: close %s: %w", p.path, cerr)
	}
	if p.wake >= 0 {
		_ = unix.Close(p.wake)
		p.wake = -1
	}
	return err
}

// use takes the descriptor for one operation; the caller must call the
// returned function when done. It fails once the PCM is closed.
func (p *PCM) use() (func(), error) {
	p.life.RLock()
	if p.closed.Load() {
		p.life.RUnlock()
		return nil, p.closedError()
	}
	return p.life.RUnlock, nil
}

// begin starts a transfer or a state change: it takes the descriptor
// and the io lock, and fails once the PCM is closed. The caller must
// call the returned function when done.
func (p *PCM) begin() (func(), error) {
	done, err := p.use()
	if err != nil {
		return nil, err
	}
	p.io.Lock()
	if p.closed.Load() {
		p.io.Unlock()
		done()
		return nil, p.closedError()
	}
	return func() { p.io.Unlock(); done() }, nil
}

func (p *PCM) closedError() error { return fmt.Errorf("%w: %s", ErrClosed, p.path) }

// ioctl issues req, retrying when interrupted by a signal, and wraps a
// failure with the request's name.
func (p *PCM) ioctl(req uint, arg unsafe.Pointer) error {
	if err := p.rawIoctl(req, arg); err != nil {
		return ioctlError(p.path, req, err)
	}
	return nil
}

// rawIoctl issues req, retrying when interrupted by a signal.
func (p *PCM) rawIoctl(req uint, arg unsafe.Pointer) error {
	for {
		err := p.sys.Ioctl(p.fd, req, arg)
		if !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}
