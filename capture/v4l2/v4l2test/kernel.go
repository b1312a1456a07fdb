//go:build linux

package v4l2test

import (
	"sync"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/p2pcam/p2pcam/capture/v4l2"
	"github.com/p2pcam/p2pcam/internal/ioctltest"
)

// Kernel is a fake kernel serving fake Devices at paths. It implements
// v4l2.Sys; pass it to v4l2.OpenWith or v4l2.Scanner.
type Kernel struct {
	mu   sync.Mutex
	devs map[string]*Device
	maps map[*byte]*mapping
	fds  ioctltest.FDTable[*Device]
}

type mapping struct {
	dev *Device
	buf *fakeBuf
}

var _ v4l2.Sys = (*Kernel)(nil)

// NewKernel returns a fake kernel with no devices.
func NewKernel() *Kernel {
	return &Kernel{devs: make(map[string]*Device), maps: make(map[*byte]*mapping)}
}

// Add serves d at path.
func (k *Kernel) Add(path string, d *Device) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.devs[path] = d
}

// Open implements v4l2.Sys: ENOENT for an unknown path, ENODEV for a
// device that vanished.
func (k *Kernel) Open(path string) (int, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	d := k.devs[path]
	if d == nil {
		return -1, unix.ENOENT
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.init()
	d.record("open")
	if d.gone {
		return -1, unix.ENODEV
	}
	if d.PerOpen {
		c := d.newContext()
		c.init()
		c.record("open")
		return k.fds.Add(c), nil
	}
	return k.fds.Add(d), nil
}

func (k *Kernel) dev(fd int) *Device {
	d, _ := k.fds.Get(fd)
	return d
}

// Close implements v4l2.Sys. As the kernel (videobuf2) does when the
// file that owns a queue (the one that requested its buffers) is
// closed, it stops that queue's streaming and frees its buffers that are
// no longer mapped; closing another file of the device leaves them be.
func (k *Kernel) Close(fd int) error {
	d, _ := k.fds.Remove(fd)
	if d == nil {
		return unix.EBADF
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.record("close")
	for t, q := range d.queues {
		if q.owner != fd {
			continue
		}
		q.streaming, q.queued, q.done = false, nil, nil
		mapped := false
		for _, b := range q.bufs {
			b.state = dequeued
			mapped = mapped || b.mapped > 0
		}
		if !mapped {
			delete(d.queues, t)
		}
	}
	return nil
}

// Ioctl implements v4l2.Sys.
func (k *Kernel) Ioctl(fd int, req uint, arg unsafe.Pointer) error {
	d := k.dev(fd)
	if d == nil {
		return unix.EBADF
	}
	return d.ioctl(fd, req, arg)
}

// Mmap implements v4l2.Sys: the offset and length must be those
// QUERYBUF gave for a plane.
func (k *Kernel) Mmap(fd int, offset int64, length int) ([]byte, error) {
	d := k.dev(fd)
	if d == nil {
		return nil, unix.EBADF
	}
	m, b, err := d.mmap(offset, length)
	if err != nil {
		return nil, err
	}
	k.mu.Lock()
	k.maps[&m[0]] = &mapping{dev: d, buf: b}
	k.mu.Unlock()
	return m, nil
}

// mmap finds the plane at offset and counts it as mapped.
func (d *Device) mmap(offset int64, length int) ([]byte, *fakeBuf, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.record("mmap")
	if d.gone {
		return nil, nil, unix.ENODEV
	}
	for _, q := range d.queues {
		for _, b := range q.bufs {
			for j, off := range b.offsets {
				if int64(off) == offset && length > 0 && length <= len(b.planes[j]) {
					b.mapped++
					return b.planes[j][:length:length], b, nil
				}
			}
		}
	}
	return nil, nil, unix.EINVAL
}

// Munmap implements v4l2.Sys.
func (k *Kernel) Munmap(b []byte) error {
	if len(b) == 0 {
		return unix.EINVAL
	}
	k.mu.Lock()
	m := k.maps[&b[0]]
	delete(k.maps, &b[0])
	k.mu.Unlock()
	if m == nil {
		return unix.EINVAL
	}
	m.dev.mu.Lock()
	defer m.dev.mu.Unlock()
	m.dev.record("munmap")
	m.buf.mapped--
	return nil
}

// Poll implements v4l2.Sys. Fake descriptors are answered by their
// device; the others (the Device's eventfd) are polled for real, for
// as long as the fake ones have nothing to report.
func (k *Kernel) Poll(fds []unix.PollFd, timeout int) (int, error) {
	return ioctltest.Poll(fds, timeout, func(fd int, events int16) (int16, time.Duration) {
		d := k.dev(fd)
		if d == nil {
			return unix.POLLNVAL, -1
		}
		return d.revents(events)
	})
}
