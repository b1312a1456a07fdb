//go:build linux

package v4l2

import (
	"errors"
	"fmt"
	"runtime"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ErrDrained means an M2M queue returned its last buffer (after
// EncoderStop) and has nothing more until it is restarted.
var ErrDrained = errors.New("v4l2: queue drained: the last buffer was dequeued")

// queue is the state of one buffer queue. It lives on the heap for the
// Device's lifetime, so the address of its planes scratch array can be
// handed to the kernel inside a v4l2_buffer (whose union is a uintptr).
type queue struct {
	typ       BufType
	nplanes   int
	mem       [][][]byte // per buffer, per plane: the whole mapping
	queued    []bool
	streaming bool
	planes    [maxPlanes]plane // scratch for multi-planar requests, guarded by Device.mu
}

// RequestBuffers allocates n memory-mapped buffers on queue t and maps
// them; the driver may grant more or fewer, and the count granted is
// returned. n = 0 releases the queue's buffers. Buffers can only be
// requested while the queue is not streaming, and replace any the
// queue had.
func (d *Device) RequestBuffers(t BufType, n int) (int, error) {
	if !t.valid() {
		return 0, fmt.Errorf("v4l2: %s: cannot stream with buffer type %v", d.path, t)
	}
	if n < 0 || n > 64 {
		return 0, fmt.Errorf("v4l2: %s: buffer count %d out of range 0-64", d.path, n)
	}
	done, err := d.use()
	if err != nil {
		return 0, err
	}
	defer done()
	d.mu.Lock()
	defer d.mu.Unlock()
	if q := d.queues[t]; q != nil {
		if q.streaming {
			return 0, fmt.Errorf("v4l2: %s: cannot request buffers on %v while streaming", d.path, t)
		}
		if err := d.unmap(q); err != nil {
			return 0, err
		}
		delete(d.queues, t)
	}
	rb := requestbuffers{Count: uint32(n), Type: uint32(t), Memory: memoryMMAP}
	if err := d.ioctl(vidiocReqbufs, unsafe.Pointer(&rb)); err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, nil
	}
	if rb.Count == 0 {
		return 0, fmt.Errorf("v4l2: %s: the driver granted no buffers on %v", d.path, t)
	}
	q := &queue{typ: t, nplanes: 1}
	for i := range int(rb.Count) {
		planes, err := d.mapBuffer(q, i)
		if err != nil {
			_ = d.unmap(q)
			release := requestbuffers{Type: uint32(t), Memory: memoryMMAP}
			_ = d.sys.Ioctl(d.fd, vidiocReqbufs, unsafe.Pointer(&release))
			return 0, err
		}
		q.mem = append(q.mem, planes)
	}
	q.queued = make([]bool, len(q.mem))
	d.queues[t] = q
	return len(q.mem), nil
}

// mapBuffer queries buffer i and maps its planes.
func (d *Device) mapBuffer(q *queue, i int) ([][]byte, error) {
	b := buffer{Index: uint32(i), Type: uint32(q.typ), Memory: memoryMMAP}
	if q.typ.IsMultiPlanar() {
		q.planes = [maxPlanes]plane{}
		b.M = uintptr(unsafe.Pointer(&q.planes[0]))
		b.Length = maxPlanes
	}
	err := d.ioctl(vidiocQuerybuf, unsafe.Pointer(&b))
	runtime.KeepAlive(q)
	if err != nil {
		return nil, err
	}
	type span struct{ off, length uint32 }
	var spans []span
	if q.typ.IsMultiPlanar() {
		if b.Length == 0 || b.Length > maxPlanes {
			return nil, fmt.Errorf("v4l2: %s: buffer %d has %d planes", d.path, i, b.Length)
		}
		q.nplanes = int(b.Length)
		for _, p := range q.planes[:b.Length] {
			spans = append(spans, span{p.offset(), p.Length})
		}
	} else {
		spans = append(spans, span{b.offset(), b.Length})
	}
	var maps [][]byte
	for _, s := range spans {
		if s.length == 0 {
			unmapAll(d.sys, maps)
			return nil, fmt.Errorf("v4l2: %s: buffer %d has a zero-length plane", d.path, i)
		}
		m, err := d.sys.Mmap(d.fd, int64(s.off), int(s.length))
		if err != nil {
			unmapAll(d.sys, maps)
			if isGone(err) {
				return nil, fmt.Errorf("%w: %s: mmap buffer %d: %w", ErrGone, d.path, i, err)
			}
			return nil, fmt.Errorf("v4l2: %s: mmap buffer %d: %w", d.path, i, err)
		}
		maps = append(maps, m)
	}
	return maps, nil
}

// unmap unmaps every buffer of q. The caller holds mu.
func (d *Device) unmap(q *queue) error {
	var errs []error
	for _, planes := range q.mem {
		for _, m := range planes {
			if err := d.sys.Munmap(m); err != nil {
				errs = append(errs, fmt.Errorf("v4l2: %s: munmap: %w", d.path, err))
			}
		}
	}
	q.mem, q.queued = nil, nil
	return errors.Join(errs...)
}

func unmapAll(sys Sys, maps [][]byte) {
	for _, m := range maps {
		_ = sys.Munmap(m)
	}
}

// Buffers returns how many buffers queue t has.
func (d *Device) Buffers(t BufType) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	if q := d.queues[t]; q != nil {
		return len(q.mem)
	}
	return 0
}

// Mapped returns the memory of each plane of buffer index of queue t,
// to be filled before QueueOutput.
func (d *Device) Mapped(t BufType, index int) ([][]byte, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	q, err := d.queue(t, index)
	if err != nil {
		return nil, err
	}
	return q.mem[index], nil
}

// queue returns queue t after checking index. The caller holds mu.
func (d *Device) queue(t BufType, index int) (*queue, error) {
	q := d.queues[t]
	if q == nil {
		return nil, fmt.Errorf("v4l2: %s: no buffers requested on %v", d.path, t)
	}
	if index < 0 || index >= len(q.mem) {
		return nil, fmt.Errorf("v4l2: %s: buffer %d out of range 0-%d", d.path, index, len(q.mem)-1)
	}
	return q, nil
}

// Queue hands buffer index of capture queue t to the driver to fill.
func (d *Device) Queue(t BufType, index int) error {
	if t.IsOutput() {
		return fmt.Errorf("v4l2: %s: %v is an output queue: use QueueOutput", d.path, t)
	}
	return d.qbuf(t, index, 0, nil)
}

// QueueAll queues every buffer of capture queue t that is not queued.
func (d *Device) QueueAll(t BufType) error {
	d.mu.Lock()
	var idle []int
	if q := d.queues[t]; q != nil {
		for i, busy := range q.queued {
			if !busy {
				idle = append(idle, i)
			}
		}
	}
	d.mu.Unlock()
	for _, i := range idle {
		if err := d.Queue(t, i); err != nil {
			return err
		}
	}
	return nil
}

// QueueOutput hands buffer index of output queue t to the driver, with
// the number of bytes used in each plane and the frame's timestamp,
// which an M2M device copies to the capture buffer it produces.
func (d *Device) QueueOutput(t BufType, index int, ts time.Duration, used ...int) error {
	if !t.IsOutput() {
		return fmt.Errorf("v4l2: %s: %v is a capture queue: use Queue", d.path, t)
	}
	if len(used) == 0 {
		return fmt.Errorf("v4l2: %s: QueueOutput needs the bytes used of each plane", d.path)
	}
	return d.qbuf(t, index, ts, used)
}

func (d *Device) qbuf(t BufType, index int, ts time.Duration, used []int) error {
	done, err := d.use()
	if err != nil {
		return err
	}
	defer done()
	d.mu.Lock()
	defer d.mu.Unlock()
	q, err := d.queue(t, index)
	if err != nil {
		return err
	}
	if used != nil && len(used) != q.nplanes {
		return fmt.Errorf("v4l2: %s: %d bytes-used values for %d planes", d.path, len(used), q.nplanes)
	}
	for i, n := range used {
		if n < 0 || n > len(q.mem[index][i]) {
			return fmt.Errorf("v4l2: %s: %d bytes used in a plane of %d", d.path, n, len(q.mem[index][i]))
		}
	}
	b := buffer{Index: uint32(index), Type: uint32(t), Memory: memoryMMAP}
	if t.IsOutput() {
		b.Field = fieldNone
		b.Timestamp = durationTimeval(ts)
	}
	if t.IsMultiPlanar() {
		q.planes = [maxPlanes]plane{}
		for i := range q.nplanes {
			q.planes[i].Length = uint32(len(q.mem[index][i]))
			if used != nil {
				q.planes[i].BytesUsed = uint32(used[i])
			}
		}
		b.M = uintptr(unsafe.Pointer(&q.planes[0]))
		b.Length = uint32(q.nplanes)
	} else if used != nil {
		b.BytesUsed = uint32(used[0])
	}
	err = d.ioctl(vidiocQbuf, unsafe.Pointer(&b))
	runtime.KeepAlive(q)
	if err != nil {
		return err
	}
	q.queued[index] = true
	return nil
}

// Dequeue takes the next finished buffer from queue t without waiting.
// It returns an error matching ErrNotReady when none is finished, and
// ErrDrained after the last buffer of a drained M2M queue.
func (d *Device) Dequeue(t BufType) (Buffer, error) {
	done, err := d.use()
	if err != nil {
		return Buffer{}, err
	}
	defer done()
	d.mu.Lock()
	defer d.mu.Unlock()
	q := d.queues[t]
	if q == nil {
		return Buffer{}, fmt.Errorf("v4l2: %s: no buffers requested on %v", d.path, t)
	}
	b := buffer{Type: uint32(t), Memory: memoryMMAP}
	if t.IsMultiPlanar() {
		q.planes = [maxPlanes]plane{}
		b.M = uintptr(unsafe.Pointer(&q.planes[0]))
		b.Length = uint32(q.nplanes)
	}
	err = d.ioctl(vidiocDqbuf, unsafe.Pointer(&b))
	runtime.KeepAlive(q)
	switch {
	case errors.Is(err, unix.EAGAIN):
		return Buffer{}, fmt.Errorf("%w: %s", ErrNotReady, d.path)
	case errors.Is(err, unix.EPIPE):
		return Buffer{}, fmt.Errorf("%w: %s", ErrDrained, d.path)
	case err != nil:
		return Buffer{}, err
	}
	if int(b.Index) >= len(q.mem) {
		return Buffer{}, fmt.Errorf("v4l2: %s: driver returned buffer %d of %d", d.path, b.Index, len(q.mem))
	}
	q.queued[b.Index] = false
	out := Buffer{
		Type:      t,
		Index:     int(b.Index),
		Sequence:  b.Sequence,
		Flags:     BufFlag(b.Flags),
		Field:     b.Field,
		Timestamp: timevalDuration(b.Timestamp),
	}
	mem := q.mem[b.Index]
	if t.IsMultiPlanar() {
		for i := range min(int(b.Length), q.nplanes) {
			p := q.planes[i]
			out.Planes = append(out.Planes, payload(mem[i], p.BytesUsed, p.DataOffset))
		}
	} else {
		out.Planes = [][]byte{payload(mem[0], b.BytesUsed, 0)}
	}
	return out, nil
}

// StreamOn starts streaming on queue t.
func (d *Device) StreamOn(t BufType) error {
	done, err := d.use()
	if err != nil {
		return err
	}
	defer done()
	d.mu.Lock()
	defer d.mu.Unlock()
	typ := uint32(t)
	if err := d.ioctl(vidiocStreamon, unsafe.Pointer(&typ)); err != nil {
		return err
	}
	if q := d.queues[t]; q != nil {
		q.streaming = true
	}
	return nil
}

// StreamOff stops streaming on queue t. The driver gives every buffer
// back, filled or not; they must be queued again before StreamOn.
func (d *Device) StreamOff(t BufType) error {
	done, err := d.use()
	if err != nil {
		return err
	}
	defer done()
	d.mu.Lock()
	defer d.mu.Unlock()
	typ := uint32(t)
	if err := d.ioctl(vidiocStreamoff, unsafe.Pointer(&typ)); err != nil {
		return err
	}
	if q := d.queues[t]; q != nil {
		q.streaming = false
		clear(q.queued)
	}
	return nil
}
