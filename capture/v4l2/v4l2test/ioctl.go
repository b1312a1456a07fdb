//go:build linux

package v4l2test

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/p2pcam/p2pcam/capture/v4l2"

	"github.com/p2pcam/p2pcam/internal/ioc"
)

// handler serves one request number.
type handler struct {
	name        string
	size        func() int
	read, write bool
	fn          func(d *Device, m mem, arg unsafe.Pointer) error
}

func fixed(n int) func() int { return func() int { return n } }

// handlers maps _IOC_NR to the request the fake knows by that number;
// the size and direction bits must match too.
var handlers = map[uint]handler{
	0:   {"QUERYCAP", fixed(sizeCapability), true, false, func(d *Device, m mem, _ unsafe.Pointer) error { return d.querycap(m) }},
	2:   {"ENUM_FMT", fixed(sizeFmtdesc), true, true, func(d *Device, m mem, _ unsafe.Pointer) error { return d.enumFmt(m) }},
	4:   {"G_FMT", func() int { return sizeFormat }, true, true, func(d *Device, m mem, _ unsafe.Pointer) error { return d.gfmt(m) }},
	5:   {"S_FMT", func() int { return sizeFormat }, true, true, func(d *Device, m mem, _ unsafe.Pointer) error { return d.sfmt(m, true) }},
	8:   {"REQBUFS", fixed(sizeReqbufs), true, true, func(d *Device, m mem, _ unsafe.Pointer) error { return d.reqbufs(m) }},
	9:   {"QUERYBUF", func() int { return sizeBuffer }, true, true, (*Device).querybuf},
	15:  {"QBUF", func() int { return sizeBuffer }, true, true, (*Device).qbuf},
	17:  {"DQBUF", func() int { return sizeBuffer }, true, true, (*Device).dqbuf},
	18:  {"STREAMON", fixed(4), false, true, func(d *Device, m mem, _ unsafe.Pointer) error { return d.streamon(m) }},
	19:  {"STREAMOFF", fixed(4), false, true, func(d *Device, m mem, _ unsafe.Pointer) error { return d.streamoff(m) }},
	21:  {"G_PARM", fixed(sizeStreamparm), true, true, func(d *Device, m mem, _ unsafe.Pointer) error { return d.parm(m, false) }},
	22:  {"S_PARM", fixed(sizeStreamparm), true, true, func(d *Device, m mem, _ unsafe.Pointer) error { return d.parm(m, true) }},
	27:  {"G_CTRL", fixed(sizeControl), true, true, func(d *Device, m mem, _ unsafe.Pointer) error { return d.gctrl(m) }},
	28:  {"S_CTRL", fixed(sizeControl), true, true, func(d *Device, m mem, _ unsafe.Pointer) error { return d.sctrl(m) }},
	36:  {"QUERYCTRL", fixed(sizeQueryctrl), true, true, func(d *Device, m mem, _ unsafe.Pointer) error { return d.queryctrl(m) }},
	37:  {"QUERYMENU", fixed(sizeQuerymenu), true, true, func(d *Device, m mem, _ unsafe.Pointer) error { return d.querymenu(m) }},
	64:  {"TRY_FMT", func() int { return sizeFormat }, true, true, func(d *Device, m mem, _ unsafe.Pointer) error { return d.sfmt(m, false) }},
	71:  {"G_EXT_CTRLS", func() int { return sizeExtControls }, true, true, func(d *Device, m mem, a unsafe.Pointer) error { return d.extCtrls(m, a, false) }},
	72:  {"S_EXT_CTRLS", func() int { return sizeExtControls }, true, true, func(d *Device, m mem, a unsafe.Pointer) error { return d.extCtrls(m, a, true) }},
	74:  {"ENUM_FRAMESIZES", fixed(sizeFrmsizeenum), true, true, func(d *Device, m mem, _ unsafe.Pointer) error { return d.enumSizes(m) }},
	75:  {"ENUM_FRAMEINTERVALS", fixed(sizeFrmivalenum), true, true, func(d *Device, m mem, _ unsafe.Pointer) error { return d.enumIntervals(m) }},
	77:  {"ENCODER_CMD", fixed(sizeEncoderCmd), true, true, func(d *Device, m mem, _ unsafe.Pointer) error { return d.encoderCmd(m) }},
	103: {"QUERY_EXT_CTRL", fixed(sizeQueryExtCtrl), true, true, func(d *Device, m mem, _ unsafe.Pointer) error { return d.queryExtCtrl(m) }},
}

// ioctl serves one request. A request whose number, size or direction
// the fake does not know is recorded as "unknown(0x...)" and fails with
// ENOTTY, as the kernel answers.
func (d *Device) ioctl(fd int, req uint, arg unsafe.Pointer) error {
	r := ioc.Decode(req)
	h, ok := handlers[r.Nr]
	d.mu.Lock()
	defer d.mu.Unlock()
	d.init()
	d.caller = fd
	if !ok || r.Type != 'V' || r.Size != h.size() || r.Read != h.read || r.Write != h.write {
		d.record(fmt.Sprintf("unknown(0x%08x)", req))
		return unix.ENOTTY
	}
	d.record(h.name)
	if d.gone {
		return unix.ENODEV
	}
	return h.fn(d, unsafe.Slice((*byte)(arg), r.Size), arg)
}

func (d *Device) querycap(m mem) error {
	clear(m)
	m.putStr(0, 16, d.Driver)
	m.putStr(16, 32, d.Card)
	m.putStr(48, 32, d.BusInfo)
	m.put32(80, d.Version)
	m.put32(84, uint32(d.Caps|v4l2.CapDeviceCaps))
	m.put32(88, uint32(d.Caps))
	return nil
}

func (d *Device) enumFmt(m mem) error {
	fs := d.formatsOf(m.u32(4))
	i := int(m.u32(0))
	if i >= len(fs) {
		return unix.EINVAL
	}
	f := fs[i]
	clear(m[8:])
	if f.Compressed {
		m.put32(8, uint32(v4l2.FmtCompressed))
	}
	m.putStr(12, 32, f.Description)
	m.put32(44, uint32(f.PixelFormat))
	return nil
}

func (d *Device) gfmt(m mem) error {
	t := m.u32(0)
	c, ok := d.current(t)
	if !ok {
		return unix.EINVAL
	}
	writeFormat(m, t, c)
	return nil
}

func (d *Device) sfmt(m mem, set bool) error {
	t := m.u32(0)
	pf, w, h := readFormat(m, t)
	c, ok := d.adjust(t, pf, w, h)
	if !ok {
		return unix.EINVAL
	}
	if set {
		if q := d.queues[t]; q != nil && len(q.bufs) > 0 {
			return unix.EBUSY
		}
		d.cur[t] = c
		d.tpf = [2]uint32{}
	}
	writeFormat(m, t, c)
	return nil
}

func (d *Device) enumSizes(m mem) error {
	f := d.findFormat(m.u32(4))
	i := int(m.u32(0))
	if f == nil {
		return unix.EINVAL
	}
	clear(m[8:])
	if s := f.Stepwise; s != nil {
		if i > 0 {
			return unix.EINVAL
		}
		m.put32(8, 3) // V4L2_FRMSIZE_TYPE_STEPWISE
		for j, v := range []uint32{s.MinWidth, s.MaxWidth, s.StepWidth, s.MinHeight, s.MaxHeight, s.StepHeight} {
			m.put32(12+4*j, v)
		}
		return nil
	}
	if i >= len(f.Sizes) {
		return unix.EINVAL
	}
	m.put32(8, 1) // V4L2_FRMSIZE_TYPE_DISCRETE
	m.put32(12, f.Sizes[i].Width)
	m.put32(16, f.Sizes[i].Height)
	return nil
}

func (d *Device) enumIntervals(m mem) error {
	f := d.findFormat(m.u32(4))
	i := int(m.u32(0))
	if f == nil || i >= len(f.Intervals) {
		return unix.EINVAL
	}
	w, h := m.u32(8), m.u32(12)
	if nw, nh := nearestSize(f, w, h); nw != w || nh != h {
		return unix.EINVAL
	}
	clear(m[16:])
	m.put32(16, 1) // V4L2_FRMIVAL_TYPE_DISCRETE
	m.put32(20, f.Intervals[i].Num)
	m.put32(24, f.Intervals[i].Den)
	return nil
}

// parm handles G_PARM and S_PARM on a camera's capture queue or an M2M
// device's output queue. S_PARM picks the nearest offered interval.
func (d *Device) parm(m mem, set bool) error {
	t := v4l2.BufType(m.u32(0))
	if !d.hasType(uint32(t)) || t.IsOutput() != d.isM2M() {
		return unix.EINVAL
	}
	c, _ := d.current(uint32(t))
	if set {
		num, den := m.u32(12), m.u32(16)
		if num != 0 && den != 0 {
			d.tpf = [2]uint32{num, den}
			if ivs := c.f.Intervals; len(ivs) > 0 {
				want := float64(den) / float64(num)
				best := ivs[0]
				for _, iv := range ivs {
					if abs(iv.FPS()-want) < abs(best.FPS()-want) {
						best = iv
					}
				}
				d.tpf = [2]uint32{best.Num, best.Den}
			}
		}
	}
	if d.tpf[1] == 0 {
		d.tpf = [2]uint32{1, 30}
		if ivs := c.f.Intervals; len(ivs) > 0 {
			d.tpf = [2]uint32{ivs[0].Num, ivs[0].Den}
		}
	}
	clear(m[4:])
	m.put32(4, 0x1000) // V4L2_CAP_TIMEPERFRAME
	m.put32(12, d.tpf[0])
	m.put32(16, d.tpf[1])
	return nil
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

func (d *Device) encoderCmd(m mem) error {
	if !d.isM2M() {
		return unix.ENOTTY
	}
	cmd := m.u32(0)
	if cmd > 3 {
		return unix.EINVAL
	}
	d.encCmds = append(d.encCmds, cmd)
	switch cmd {
	case 0: // start
		d.drained, d.lastDequeued = false, false
	case 1: // stop
		d.drained = true
		d.process()
	}
	return nil
}
