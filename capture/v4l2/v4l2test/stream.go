//go:build linux

package v4l2test

import (
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/p2pcam/p2pcam/capture/v4l2"
)

// Buffer flags the fake sets (linux/videodev2.h).
const (
	flagMapped    = 0x00000001
	flagQueued    = 0x00000002
	flagDone      = 0x00000004
	flagKeyframe  = 0x00000008
	flagLast      = 0x00100000
	flagMonotonic = 0x00002000
	flagCopy      = 0x00004000
	flagSrcSOE    = 0x00010000
)

type bufState int

const (
	dequeued bufState = iota
	queued
	done
)

type fakeQueue struct {
	typ       uint32
	owner     int // the file that requested the buffers
	bufs      []*fakeBuf
	streaming bool
	queued    []int // FIFO of buffers the application queued
	done      []int // FIFO of buffers ready for DQBUF
}

type fakeBuf struct {
	planes    [][]byte
	offsets   []uint32
	used      []uint32
	dataOff   uint32
	mapped    int
	state     bufState
	sec, usec int64
	seq       uint32
	flags     uint32
}

func (b *fakeBuf) stateFlags() uint32 {
	f := b.flags
	if b.mapped > 0 {
		f |= flagMapped
	}
	switch b.state {
	case queued:
		f |= flagQueued
	case done:
		f |= flagDone
	}
	return f
}

const pageSize = 4096

// reqbufs handles VIDIOC_REQBUFS.
func (d *Device) reqbufs(m mem) error {
	count, t, memory := m.u32(0), m.u32(4), m.u32(8)
	if !d.hasType(t) || memory != 1 {
		return unix.EINVAL
	}
	if q := d.queues[t]; q != nil {
		if q.streaming || (q.owner != d.caller && len(q.bufs) > 0) {
			return unix.EBUSY // another file's (vb2_queue_is_busy)
		}
		for _, b := range q.bufs {
			if b.mapped > 0 {
				return unix.EBUSY // still mapped: unmap before freeing
			}
		}
		delete(d.queues, t)
	}
	m.put32(12, 1) // V4L2_BUF_CAP_SUPPORTS_MMAP
	if count == 0 {
		return nil
	}
	n := min(max(int(count), d.MinBuffers), 32)
	cf, _ := d.current(t)
	q := &fakeQueue{typ: t, owner: d.caller}
	off := uint32(0)
	if d.isM2M() && !v4l2.BufType(t).IsOutput() {
		off = 1 << 30 // as v4l2-mem2mem's DST_QUEUE_OFF_BASE
	}
	for range n {
		b := &fakeBuf{}
		for _, p := range cf.planes {
			b.planes = append(b.planes, make([]byte, p.sizeImage))
			b.offsets = append(b.offsets, off)
			b.used = append(b.used, 0)
			off += (p.sizeImage + pageSize - 1) &^ (pageSize - 1)
		}
		q.bufs = append(q.bufs, b)
	}
	d.queues[t] = q
	m.put32(0, uint32(n))
	return nil
}

// lookup finds the buffer a v4l2_buffer argument names.
func (d *Device) lookup(m mem) (*fakeQueue, *fakeBuf, error) {
	q := d.queues[m.u32(4)]
	if q == nil || m.u32(bufMemory) != 1 {
		return nil, nil, unix.EINVAL
	}
	i := int(m.u32(0))
	if i >= len(q.bufs) {
		return nil, nil, unix.EINVAL
	}
	return q, q.bufs[i], nil
}

// planesArg returns the v4l2_plane array of a multi-planar argument,
// checking that it has room for the buffer's planes.
func planesArg(m mem, arg unsafe.Pointer, b *fakeBuf) (mem, error) {
	n := int(m.u32(bufLength))
	if n < len(b.planes) || n > 8 {
		return nil, unix.EINVAL
	}
	p := pointee(arg, bufM, n*sizePlane)
	if p == nil {
		return nil, unix.EFAULT
	}
	return p, nil
}

// writeBuffer fills a v4l2_buffer argument from b.
func writeBuffer(m mem, arg unsafe.Pointer, q *fakeQueue, b *fakeBuf, index int) error {
	m.put32(0, uint32(index))
	m.put32(12, b.stateFlags())
	m.put32(16, 1) // V4L2_FIELD_NONE
	m.putLong(bufTimestamp, b.sec)
	m.putLong(bufTimestamp+ptr, b.usec)
	m.put32(bufSequence, b.seq)
	m.put32(bufMemory, 1)
	if v4l2.BufType(q.typ).IsMultiPlanar() {
		p, err := planesArg(m, arg, b)
		if err != nil {
			return err
		}
		for i := range b.planes {
			pl := p[i*sizePlane:]
			pl.put32(0, b.used[i])
			pl.put32(4, uint32(len(b.planes[i])))
			clear(pl[8 : 8+ptr])
			pl.put32(8, b.offsets[i])
			pl.put32(planeDataOffset, b.dataOff)
		}
		m.put32(bufLength, uint32(len(b.planes)))
		return nil
	}
	m.put32(8, b.used[0])
	clear(m[bufM : bufM+ptr])
	m.put32(bufM, b.offsets[0])
	m.put32(bufLength, uint32(len(b.planes[0])))
	return nil
}

func (d *Device) querybuf(m mem, arg unsafe.Pointer) error {
	q, b, err := d.lookup(m)
	if err != nil {
		return err
	}
	return writeBuffer(m, arg, q, b, int(m.u32(0)))
}

func (d *Device) qbuf(m mem, arg unsafe.Pointer) error {
	q, b, err := d.lookup(m)
	if err != nil {
		return err
	}
	if b.state != dequeued {
		return unix.EINVAL
	}
	i := int(m.u32(0))
	if v4l2.BufType(q.typ).IsOutput() {
		b.sec, b.usec = m.long(bufTimestamp), m.long(bufTimestamp+ptr)
		if v4l2.BufType(q.typ).IsMultiPlanar() {
			p, err := planesArg(m, arg, b)
			if err != nil {
				return err
			}
			for j := range b.planes {
				b.used[j] = p[j*sizePlane:].u32(0)
			}
		} else {
			b.used[0] = m.u32(8)
		}
		for j, u := range b.used {
			if int(u) > len(b.planes[j]) {
				return unix.EINVAL
			}
		}
	} else if v4l2.BufType(q.typ).IsMultiPlanar() {
		if _, err := planesArg(m, arg, b); err != nil {
			return err
		}
	}
	b.state, b.flags = queued, 0
	q.queued = append(q.queued, i)
	d.process()
	return writeBuffer(m, arg, q, b, i)
}

func (d *Device) dqbuf(m mem, arg unsafe.Pointer) error {
	t := m.u32(4)
	q := d.queues[t]
	if q == nil || m.u32(bufMemory) != 1 || !q.streaming {
		return unix.EINVAL
	}
	if !v4l2.BufType(t).IsOutput() && d.lastDequeued {
		return unix.EPIPE
	}
	if len(q.done) == 0 && !d.isM2M() && d.frameReady(q) {
		d.capture(q)
	}
	if len(q.done) == 0 {
		return unix.EAGAIN
	}
	i := q.done[0]
	q.done = q.done[1:]
	b := q.bufs[i]
	b.state = dequeued
	if b.flags&flagLast != 0 {
		d.lastDequeued = true
	}
	if err := writeBuffer(m, arg, q, b, i); err != nil {
		return err
	}
	if d.VanishAfter > 0 && d.served >= d.VanishAfter {
		d.gone = true
	}
	return nil
}

func (d *Device) streamon(m mem) error {
	t := m.u32(0)
	q := d.queues[t]
	if !d.hasType(t) || q == nil {
		return unix.EINVAL
	}
	q.streaming = true
	d.lastDequeued = false
	d.last = time.Time{}
	d.process()
	return nil
}

func (d *Device) streamoff(m mem) error {
	t := m.u32(0)
	if !d.hasType(t) {
		return unix.EINVAL
	}
	if q := d.queues[t]; q != nil {
		q.streaming = false
		q.queued, q.done = nil, nil
		for _, b := range q.bufs {
			b.state = dequeued
		}
	}
	return nil
}

// frameReady reports whether a camera has a frame for q now.
func (d *Device) frameReady(q *fakeQueue) bool {
	if !q.streaming || d.stalled || d.gone || len(q.queued) == 0 {
		return false
	}
	return d.FrameInterval <= 0 || time.Since(d.last) >= d.FrameInterval
}

// untilFrame is how long until a camera's next frame is due; -1 when
// none will come by waiting alone.
func (d *Device) untilFrame(q *fakeQueue) time.Duration {
	if !q.streaming || d.stalled || d.gone || len(q.queued) == 0 {
		return -1
	}
	return max(d.FrameInterval-time.Since(d.last), 0)
}

// timePerFrame returns the frame period of the current frame rate.
func (d *Device) timePerFrame() time.Duration {
	if d.tpf[1] == 0 {
		return time.Second / 30
	}
	return time.Duration(d.tpf[0]) * time.Second / time.Duration(d.tpf[1])
}

// capture fills the oldest queued buffer of a camera queue with the
// next frame.
func (d *Device) capture(q *fakeQueue) {
	i := q.queued[0]
	q.queued = q.queued[1:]
	b := q.bufs[i]
	cf, _ := d.current(q.typ)
	ts := time.Second + time.Duration(d.served)*d.timePerFrame()
	b.sec, b.usec = int64(ts/time.Second), int64(ts%time.Second/time.Microsecond)
	b.flags = flagMonotonic | flagSrcSOE
	d.fill(q, b, cf.f.Compressed)
	b.state = done
	q.done = append(q.done, i)
	d.last = time.Now()
}

// fill writes the next payload into b and counts it as served.
func (d *Device) fill(q *fakeQueue, b *fakeBuf, compressed bool) {
	b.seq = uint32(d.served)
	b.dataOff = 0
	if v4l2.BufType(q.typ).IsMultiPlanar() {
		b.dataOff = d.DataOffset
	}
	if compressed {
		p := d.payload()
		n := copy(b.planes[0][b.dataOff:], p)
		b.used[0] = b.dataOff + uint32(n)
		if d.MarkKeyframes && hasIDR(p[:n]) {
			b.flags |= flagKeyframe
		}
	} else {
		for j, pl := range b.planes {
			Picture(pl[b.dataOff:], b.seq+uint32(j)*1000)
			b.used[j] = uint32(len(pl))
		}
	}
	d.served++
}

// process runs an M2M device: each queued output buffer becomes a done
// output buffer and a filled capture buffer with its timestamp; after
// an encoder stop, the next capture buffer comes back empty and last.
func (d *Device) process() {
	if !d.isM2M() || d.stalled || d.gone {
		return
	}
	out, cap := d.m2mQueues()
	if out == nil || cap == nil || !out.streaming || !cap.streaming {
		return
	}
	cf, _ := d.current(cap.typ)
	for len(out.queued) > 0 && len(cap.queued) > 0 {
		oi, ci := out.queued[0], cap.queued[0]
		out.queued, cap.queued = out.queued[1:], cap.queued[1:]
		ob, cb := out.bufs[oi], cap.bufs[ci]
		ob.state = done
		out.done = append(out.done, oi)
		cb.sec, cb.usec, cb.flags = ob.sec, ob.usec, flagCopy
		d.fill(cap, cb, cf.f.Compressed)
		cb.state = done
		cap.done = append(cap.done, ci)
	}
	if d.drained && len(out.queued) == 0 && len(cap.queued) > 0 {
		ci := cap.queued[0]
		cap.queued = cap.queued[1:]
		cb := cap.bufs[ci]
		cb.flags, cb.state = flagCopy|flagLast, done
		clear(cb.used)
		cap.done = append(cap.done, ci)
		d.drained = false
	}
}

// m2mQueues returns the output and capture queues of an M2M device.
func (d *Device) m2mQueues() (out, cap *fakeQueue) {
	for t, q := range d.queues {
		if v4l2.BufType(t).IsOutput() {
			out = q
		} else {
			cap = q
		}
	}
	return out, cap
}

// captureQueue returns a camera's capture queue.
func (d *Device) captureQueue() *fakeQueue {
	for t, q := range d.queues {
		if !v4l2.BufType(t).IsOutput() {
			return q
		}
	}
	return nil
}

// Poll event bits, as in poll.h on every Linux port.
const (
	pollIn  = 0x1
	pollOut = 0x4
	pollErr = 0x8
	pollHup = 0x10
)

// revents answers poll for the device: the events ready now, or how
// long until one will be (-1: not by waiting alone).
func (d *Device) revents(events int16) (int16, time.Duration) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.init()
	if d.gone {
		return pollErr | pollHup, -1
	}
	if d.isM2M() {
		var rev int16
		out, cap := d.m2mQueues()
		if events&pollIn != 0 && ((cap != nil && len(cap.done) > 0) || d.lastDequeued) {
			rev |= pollIn
		}
		if events&pollOut != 0 && out != nil && len(out.done) > 0 {
			rev |= pollOut
		}
		if rev == 0 && (cap == nil || !cap.streaming) && (out == nil || !out.streaming) {
			rev = pollErr
		}
		return rev, -1
	}
	q := d.captureQueue()
	switch {
	case q == nil || !q.streaming:
		return pollErr, -1
	case len(q.done) > 0 || d.frameReady(q):
		return pollIn & events, -1
	case len(q.queued) == 0:
		return pollErr, -1
	}
	return 0, d.untilFrame(q)
}
