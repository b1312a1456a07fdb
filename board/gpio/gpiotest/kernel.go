//go:build linux

package gpiotest

import (
	"fmt"
	"sync"
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
	level     bool // the physical level
}

// handle is an open descriptor: a chip, or requested lines of one.
type handle struct {
	chip    *Chip
	offsets []int // nil for a chip descriptor
}

// NewKernel returns a fake kernel with chips.
func NewKernel(chips ...*Chip) *Kernel {
	k := &Kernel{fds: map[int]*handle{}, nextFD: 100}
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
	for i, off := range offsets {
		l := &c.lines[off]
		*l = line{consumer: consumer, output: out, activeLow: flags&flagActiveLow != 0, level: l.level}
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
	m.put32(reqFD, uint32(k.newFD(&handle{chip: c, offsets: offsets})))
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

// Drive sets the physical level at an input line, as a sensor would.
func (c *Chip) Drive(offset int, high bool) {
	c.k.mu.Lock()
	defer c.k.mu.Unlock()
	c.lines[offset].level = high
}

// Consumer returns who holds a line, or "" when it is free.
func (c *Chip) Consumer(offset int) string {
	c.k.mu.Lock()
	defer c.k.mu.Unlock()
	return c.lines[offset].consumer
}

// Name returns the chip's device name, "gpiochipN".
func (c *Chip) Name() string { return c.name }
