//go:build linux

package v4l2

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Device is an open V4L2 device node. Its methods are safe for
// concurrent use; Close may be called at any time, also while another
// goroutine waits for a buffer, and wakes that goroutine at once.
type Device struct {
	path string
	sys  Sys
	fd   int
	caps Capability

	// wake is an eventfd that interrupts Wait's poll: Close adds a
	// large count, and a Wait whose context ends adds one, which that
	// Wait consumes again. -1 if eventfds are unavailable; Wait then
	// polls in short slices. wakeMu guards writing and closing it.
	wake   int
	wakeMu sync.Mutex

	// life is held shared while the descriptor is in use, and
	// exclusively by Close, so that the descriptor is never closed (and
	// its number reused) under a running ioctl or poll.
	life   sync.RWMutex
	closed atomic.Bool

	mu        sync.Mutex // guards queues and ctrlTypes
	queues    map[BufType]*queue
	ctrlTypes map[uint32]CtrlType
}

// Open opens the V4L2 device node at path (e.g. "/dev/video0") and
// reads its capabilities. It fails with an error matching ErrNotV4L2
// if the node is not a V4L2 device.
func Open(path string) (*Device, error) { return OpenWith(Kernel, path) }

// OpenWith is Open through the given kernel seam.
func OpenWith(sys Sys, path string) (*Device, error) {
	fd, err := sys.Open(path)
	if err != nil {
		if isGone(err) {
			return nil, fmt.Errorf("%w: open %s: %w", ErrGone, path, err)
		}
		return nil, fmt.Errorf("v4l2: open %s: %w", path, err)
	}
	d := &Device{path: path, sys: sys, fd: fd, wake: -1, queues: make(map[BufType]*queue)}
	var k capability
	if err := d.rawIoctl(vidiocQuerycap, unsafe.Pointer(&k)); err != nil {
		_ = sys.Close(fd)
		// ENOTTY is the kernel's answer to an unknown request; qemu-user
		// says ENOSYS for requests it cannot translate.
		if errors.Is(err, unix.ENOTTY) || errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) {
			return nil, fmt.Errorf("%w: %s: VIDIOC_QUERYCAP: %w", ErrNotV4L2, path, err)
		}
		return nil, ioctlError(path, vidiocQuerycap, err)
	}
	d.caps = decodeCapability(&k)
	if wfd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK|unix.EFD_SEMAPHORE); err == nil {
		d.wake = wfd
	}
	return d, nil
}

// Path returns the path the device was opened with.
func (d *Device) Path() string { return d.path }

// Capability returns what VIDIOC_QUERYCAP reported at Open.
func (d *Device) Capability() Capability { return d.caps }

// Close stops streaming, unmaps every buffer and closes the device. It
// wakes any goroutine waiting in Wait or Next, which then returns
// ErrClosed. Closing twice is harmless: the second call returns nil.
func (d *Device) Close() error {
	if !d.closed.CompareAndSwap(false, true) {
		return nil
	}
	d.kick(1 << 40)
	d.life.Lock()
	defer d.life.Unlock()
	var errs []error
	d.mu.Lock()
	for t, q := range d.queues {
		if q.streaming {
			typ := uint32(t)
			// Best effort: closing the descriptor stops streaming too.
			_ = d.sys.Ioctl(d.fd, vidiocStreamoff, unsafe.Pointer(&typ))
			q.streaming = false
		}
		errs = append(errs, d.unmap(q))
	}
	d.queues = nil
	d.mu.Unlock()
	if err := d.sys.Close(d.fd); err != nil {
		errs = append(errs, fmt.Errorf("v4l2: close %s: %w", d.path, err))
	}
	d.wakeMu.Lock()
	if d.wake >= 0 {
		_ = unix.Close(d.wake)
		d.wake = -1
	}
	d.wakeMu.Unlock()
	return errors.Join(errs...)
}

// use takes the descriptor for one operation; the caller must call the
// returned function when done. It fails once the Device is closed.
func (d *Device) use() (func(), error) {
	d.life.RLock()
	if d.closed.Load() {
		d.life.RUnlock()
		return nil, fmt.Errorf("%w: %s", ErrClosed, d.path)
	}
	return d.life.RUnlock, nil
}

// ioctl issues req, retrying when interrupted by a signal, and wraps a
// failure with the request's name. The caller holds use().
func (d *Device) ioctl(req uint, arg unsafe.Pointer) error {
	if err := d.rawIoctl(req, arg); err != nil {
		return ioctlError(d.path, req, err)
	}
	return nil
}

// rawIoctl issues req, retrying when interrupted by a signal.
func (d *Device) rawIoctl(req uint, arg unsafe.Pointer) error {
	for {
		err := d.sys.Ioctl(d.fd, req, arg)
		if !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}

// do issues one ioctl under use().
func (d *Device) do(req uint, arg unsafe.Pointer) error {
	done, err := d.use()
	if err != nil {
		return err
	}
	defer done()
	return d.ioctl(req, arg)
}

// kick adds n to the wake eventfd.
func (d *Device) kick(n uint64) {
	d.wakeMu.Lock()
	defer d.wakeMu.Unlock()
	if d.wake < 0 {
		return
	}
	var b [8]byte
	binary.NativeEndian.PutUint64(b[:], n)
	_, _ = unix.Write(d.wake, b[:])
}

// unkick takes one count back from the wake eventfd.
func (d *Device) unkick() {
	d.wakeMu.Lock()
	defer d.wakeMu.Unlock()
	if d.wake < 0 {
		return
	}
	var b [8]byte
	_, _ = unix.Read(d.wake, b[:])
}
