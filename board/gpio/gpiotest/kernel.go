//go:build linux

package gpiotest

import (
	"fmt"
	"sync"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/p2pcam/p2pcam/internal/ioc"
)

// Kernel is a fake gpio.Sys holding fake chips at /dev/gpiochip0,
// /dev/gpiochip1, ... in the order given to NewKernel. It is safe for
// concurrent use.
type Kernel struct {
	mu     sync.Mutex // guards every field below and the chips' state
	chips  []*Chip
	fds    map[int]*handle
	nextFD int
	calls  []string
	start  time.Time // time zero of edge timestamps
}

// Chip is a fake GPIO chip. Set Label and Lines before NewKernel.
type Chip struct {
	Label string
	Lines int

	k     *Kernel
	name  string
	lines []line
}

// line is the state of one fake line.
type line struct {
	consumer  string // "" when free
	output    bool
	activeLow bool
	level     bool    // the physical level
	edges     uint64  // flagEdgeRise and flagEdgeFall, as requested
	events    *handle // the handle edge events queue on; nil without edges
	seq       uint32  // edges queued on the line
}

// handle is an open descriptor: a chip, or requested lines of one.
type handle struct {
	chip    *Chip
	offsets []int // nil for a chip descriptor

	queue  [][sizeEvent]byte // edge events not read yet
	ready  chan struct{}     // has a token while queue is not empty
	closed chan struct{}     // closed with the descriptor
}

// NewKernel returns a fake kernel with chips.
func NewKernel(chips ...*Chip) *Kernel {
	k := &Kernel{fds: map[int]*handle{}, nextFD: 100, start: time.Now()}
	for i, c := range chips {
		c.k = k
		c.name = fmt.Sprintf("gpiochip%d", i)
		c.lines = make([]line, c.Lines)
		k.chips = append(k.chips, c)
	}
	return k
}

// Calls returns the system calls made so far, as "open PATH",
// "ioctl NAME" and "close".
func (k *Kernel) Calls() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]string(nil), k.calls...)
}

// OpenFDs returns how many descriptors are open.
func (k *Kernel) OpenFDs() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.fds)
}

// Open opens /dev/gpiochipN.
func (k *Kernel) Open(path string) (int, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.calls = append(k.calls, "open "+path)
	for _, c := range k.chips {
		if "/dev/"+c.name == path {
			return k.newFD(&handle{chip: c}), nil
		}
	}
	return -1, unix.ENOENT
}

func (k *Kernel) newFD(h *handle) int {
	k.nextFD++
	k.fds[k.nextFD] = h
	return k.nextFD
}

// Close closes a descriptor, freeing the lines it holds.
func (k *Kernel) Close(fd int) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.calls = append(k.calls, "close")
	h, ok := k.fds[fd]
	if !ok {
		return unix.EBADF
	}
	delete(k.fds, fd)
	for _, off := range h.offsets {
		h.chip.lines[off].consumer = ""
		h.chip.lines[off].events = nil
	}
	if h.closed != nil {
		close(h.closed)
	}
	return nil
}

// Ioctl serves the chip and line requests of the v2 uAPI.
func (k *Kernel) Ioctl(fd int, req uint, arg unsafe.Pointer) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	h, ok := k.fds[fd]
	if !ok {
		return unix.EBADF
	}
	d := ioc.Decode(req)
	if d.Type != 0xB4 {
		k.calls = append(k.calls, fmt.Sprintf("ioctl %#x", req))
		return unix.ENOTTY
	}
	read, both := d.Read && !d.Write, d.Read && d.Write
	switch {
	case h.offsets == nil && d.Nr == nrChipInfo && read && d.Size == sizeChipInfo:
		k.calls = append(k.calls, "ioctl GPIO_GET_CHIPINFO_IOCTL")
		m := view(arg, d.Size)
		m.putStr(0, 32, h.chip.name)
		m.putStr(32, 32, h.chip.Label)
		m.put32(64, uint32(h.chip.Lines))
		return nil
	case h.offsets == nil && d.Nr == nrGetLine && both && d.Size == sizeLineReq:
		k.calls = append(k.calls, "ioctl GPIO_V2_GET_LINE_IOCTL")
		return k.getLine(h.chip, view(arg, d.Size))
	case h.offsets != nil && d.Nr == nrGetValues && both && d.Size == sizeLineValues:
		k.calls = append(k.calls, "ioctl GPIO_V2_LINE_GET_VALUES_IOCTL")
		return h.getValues(view(arg, d.Size))
	case h.offsets != nil && d.Nr == nrSetValues && both && d.Size == sizeLineValues:
		k.calls = append(k.calls, "ioctl GPIO_V2_LINE_SET_VALUES_IOCTL")
		return h.setValues(view(arg, d.Size))
	}
	k.calls = append(k.calls, fmt.Sprintf("ioctl %#x", req))
	return unix.ENOTTY
}

// getLine serves GPIO_V2_GET_LINE_IOCTL as the kernel does, for the
// flags and attributes package gpio uses.
func (k *Kernel) getLine(c *Chip, m mem) error {
	n := int(m.u32(reqNumLines))
	if n < 1 || n > maxLines {
		return unix.EINVAL
	}
	flags := m.u64(reqFlags)
	in, out := flags&flagInput != 0, flags&flagOutput != 0
	if in == out {
		return unix.EINVAL // exactly one direction
	}
	nattrs := int(m.u32(reqNumAttrs))
	if nattrs > maxAttrs {
		return unix.EINVAL
	}
	offsets := make([]int, n)
	for i := range offsets {
		off := int(m.u32(4 * i))
		if off >= c.Lines {
			return unix.EINVAL
		}
		if c.lines[off].consumer != "" {
			return unix.EBUSY
		}
		offsets[i] = off
	}
	consumer := m.str(reqConsumer, 32)
	if consumer == "" {
		consumer = "?"
	}
	edges := flags & (flagEdgeRise | flagEdgeFall)
	if edges != 0 && out {
		return unix.EINVAL // edge detection needs an input
	}
	h := &handle{chip: c, offsets: offsets, ready: make(chan struct{}, 1), closed: make(chan struct{})}
	for i, off := range offsets {
		l := &c.lines[off]
		*l = line{consumer: consumer, output: out, activeLow: flags&flagActiveLow != 0, level: l.level, edges: edges}
		if edges != 0 {
			l.events = h
		}
		if out {
			active := false
			for a := range nattrs {
				at := reqAttrs + a*sizeAttr
				if m.u32(at) == attrIDOutVals && m.u64(at+attrMask)&(1<<i) != 0 {
					active = m.u64(at+attrValue)&(1<<i) != 0
				}
			}
			l.level = active != l.activeLow
		}
	}
	m.put32(reqFD, uint32(k.newFD(h)))
	return nil
}

func (h *handle) getValues(m mem) error {
	mask, bits := m.u64(8), uint64(0)
	for i, off := range h.offsets {
		l := h.chip.lines[off]
		if mask&(1<<i) != 0 && l.level != l.activeLow {
			bits |= 1 << i
		}
	}
	m.put64(0, bits)
	return nil
}

func (h *handle) setValues(m mem) error {
	bits, mask := m.u64(0), m.u64(8)
	for i, off := range h.offsets {
		if mask&(1<<i) != 0 && !h.chip.lines[off].output {
			return unix.EPERM
		}
	}
	for i, off := range h.offsets {
		if mask&(1<<i) != 0 {
			l := &h.chip.lines[off]
			l.level = (bits&(1<<i) != 0) != l.activeLow
		}
	}
	return nil
}

// Level returns the physical level of a line: what an output drives.
func (c *Chip) Level(offset int) bool {
	c.k.mu.Lock()
	defer c.k.mu.Unlock()
	return c.lines[offset].level
}

// Drive sets the physical level at an input line, as a sensor would. A
// change queues an edge event when the line was requested with edge
// detection for that edge.
func (c *Chip) Drive(offset int, high bool) {
	c.k.mu.Lock()
	defer c.k.mu.Unlock()
	l := &c.lines[offset]
	if l.level == high {
		return
	}
	l.level = high
	h := l.events
	if h == nil {
		return
	}
	rising := high != l.activeLow // the logical level rose
	if rising && l.edges&flagEdgeRise == 0 || !rising && l.edges&flagEdgeFall == 0 {
		return
	}
	l.seq++
	var ev [sizeEvent]byte
	m := mem(ev[:])
	m.put64(0, uint64(time.Since(c.k.start)))
	id := uint32(eventFalling)
	if rising {
		id = eventRising
	}
	m.put32(8, id)
	m.put32(12, uint32(offset))
	m.put32(16, l.seq)
	m.put32(20, l.seq)
	h.queue = append(h.queue, ev)
	select {
	case h.ready <- struct{}{}:
	default:
	}
}

// Poll waits up to timeout for an edge event on a line descriptor.
func (k *Kernel) Poll(fd int, timeout time.Duration) (bool, error) {
	k.mu.Lock()
	h, ok := k.fds[fd]
	if ok && len(h.queue) > 0 {
		k.mu.Unlock()
		return true, nil
	}
	k.mu.Unlock()
	if !ok || h.ready == nil {
		return false, unix.EBADF
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-h.ready:
	case <-t.C:
	case <-h.closed:
		return false, unix.EBADF
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(h.queue) > 0, nil
}

// Read returns the queued edge events that fit in p, whole, or EAGAIN
// when none is queued.
func (k *Kernel) Read(fd int, p []byte) (int, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.calls = append(k.calls, "read")
	h, ok := k.fds[fd]
	if !ok || h.ready == nil {
		return 0, unix.EBADF
	}
	if len(p) < sizeEvent {
		return 0, unix.EINVAL
	}
	if len(h.queue) == 0 {
		return 0, unix.EAGAIN
	}
	n := 0
	for len(h.queue) > 0 && n+sizeEvent <= len(p) {
		copy(p[n:], h.queue[0][:])
		h.queue = h.queue[1:]
		n += sizeEvent
	}
	if len(h.queue) > 0 {
		select {
		case h.ready <- struct{}{}:
		default:
		}
	}
	return n, nil
}

// Consumer returns who holds a line, or "" when it is free.
func (c *Chip) Consumer(offset int) string {
	c.k.mu.Lock()
	defer c.k.mu.Unlock()
	return c.lines[offset].consumer
}

// Name returns the chip's device name, "gpiochipN".
func (c *Chip) Name() string { return c.name }
