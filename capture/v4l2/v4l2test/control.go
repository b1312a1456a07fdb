//go:build linux

package v4l2test

import (
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/p2pcam/p2pcam/capture/v4l2"
)

const (
	nextCtrl  = 0x80000000
	nextFlags = 0xc0000000
	classMask = 0x0fff0000
)

// findControl finds a control by ID or, with V4L2_CTRL_FLAG_NEXT_CTRL,
// the first one after it.
func (d *Device) findControl(id uint32) *Control {
	if id&nextCtrl != 0 {
		after := id &^ nextFlags
		var best *Control
		for i := range d.Controls {
			c := &d.Controls[i]
			if c.ID > after && (best == nil || c.ID < best.ID) {
				best = c
			}
		}
		return best
	}
	for i := range d.Controls {
		if d.Controls[i].ID == id {
			return &d.Controls[i]
		}
	}
	return nil
}

func (d *Device) queryctrl(m mem) error {
	c := d.findControl(m.u32(0))
	if c == nil {
		return unix.EINVAL
	}
	clear(m)
	m.put32(0, c.ID)
	m.put32(4, uint32(c.Type))
	m.putStr(8, 32, c.Name)
	m.put32(40, uint32(int32(c.Min)))
	m.put32(44, uint32(int32(c.Max)))
	m.put32(48, uint32(int32(c.Step)))
	m.put32(52, uint32(int32(c.Default)))
	m.put32(56, uint32(c.Flags))
	return nil
}

func (d *Device) queryExtCtrl(m mem) error {
	if d.NoExtCtrlQuery {
		return unix.ENOTTY
	}
	c := d.findControl(m.u32(0))
	if c == nil {
		return unix.EINVAL
	}
	clear(m)
	m.put32(0, c.ID)
	m.put32(4, uint32(c.Type))
	m.putStr(8, 32, c.Name)
	m.put64(40, c.Min)
	m.put64(48, c.Max)
	m.put64(56, c.Step)
	m.put64(64, c.Default)
	m.put32(72, uint32(c.Flags))
	size := uint32(4)
	if c.Type == v4l2.CtrlInteger64 {
		size = 8
	}
	m.put32(76, size)
	m.put32(80, 1)
	return nil
}

func (d *Device) querymenu(m mem) error {
	c := d.findControl(m.u32(0))
	i := int64(m.u32(4))
	if c == nil || c.Type != v4l2.CtrlMenu || i < c.Min || i > c.Max || i >= int64(len(c.Menu)) || c.Menu[i] == "" {
		return unix.EINVAL
	}
	clear(m[8:40])
	m.putStr(8, 32, c.Menu[i])
	return nil
}

// validate checks and adjusts a value being set, as the kernel's
// control framework does: integers are clamped and rounded to the step,
// menus must name a valid item.
func validate(c *Control, v int64) (int64, error) {
	if c.Flags&v4l2.CtrlFlagReadOnly != 0 || c.Type == v4l2.CtrlClass {
		return 0, unix.EACCES
	}
	switch c.Type {
	case v4l2.CtrlInteger, v4l2.CtrlInteger64:
		v = min(max(v, c.Min), c.Max)
		if c.Step > 1 {
			v = c.Min + (v-c.Min+c.Step/2)/c.Step*c.Step
		}
	case v4l2.CtrlBoolean:
		if v != 0 {
			v = 1
		}
	case v4l2.CtrlMenu:
		if v < c.Min || v > c.Max {
			return 0, unix.ERANGE
		}
		if v >= int64(len(c.Menu)) || c.Menu[v] == "" {
			return 0, unix.EINVAL
		}
	}
	return v, nil
}

// set stores a validated value.
func (d *Device) set(c *Control, v int64) {
	if c.Type == v4l2.CtrlButton {
		d.presses[c.ID]++
		return
	}
	d.values[c.ID] = v
}

func (d *Device) gctrl(m mem) error {
	c := d.findControl(m.u32(0))
	switch {
	case c == nil || c.Type == v4l2.CtrlInteger64:
		return unix.EINVAL
	case c.Flags&v4l2.CtrlFlagWriteOnly != 0:
		return unix.EACCES
	}
	m.put32(4, uint32(int32(d.values[c.ID])))
	return nil
}

func (d *Device) sctrl(m mem) error {
	c := d.findControl(m.u32(0))
	if c == nil || c.Type == v4l2.CtrlInteger64 {
		return unix.EINVAL
	}
	v, err := validate(c, int64(int32(m.u32(4))))
	if err != nil {
		return err
	}
	d.set(c, v)
	m.put32(4, uint32(int32(v)))
	return nil
}

// extCtrls handles G_EXT_CTRLS and S_EXT_CTRLS. As the kernel does, a
// failure in the validation step sets error_idx to count.
func (d *Device) extCtrls(m mem, arg unsafe.Pointer, set bool) error {
	if d.NoExtCtrls {
		return unix.ENOTTY
	}
	which, count := m.u32(0), int(m.u32(4))
	if count == 0 {
		return nil
	}
	if count > 1024 {
		return unix.E2BIG
	}
	arr := pointee(arg, extCtrlsControls, count*sizeExtControl)
	if arr == nil {
		return unix.EFAULT
	}
	fail := func(err error) error {
		m.put32(8, uint32(count))
		return err
	}
	ctrls := make([]*Control, count)
	vals := make([]int64, count)
	for i := range count {
		e := arr[i*sizeExtControl:]
		c := d.findControl(e.u32(0))
		if c == nil || (which != 0 && c.ID&classMask != which) {
			return fail(unix.EINVAL)
		}
		ctrls[i] = c
		if !set {
			if c.Flags&v4l2.CtrlFlagWriteOnly != 0 || c.Type == v4l2.CtrlClass {
				return fail(unix.EACCES)
			}
			continue
		}
		v := int64(int32(e.u32(12)))
		if c.Type == v4l2.CtrlInteger64 {
			v = e.i64(12)
		}
		v, err := validate(c, v)
		if err != nil {
			return fail(err)
		}
		vals[i] = v
	}
	for i, c := range ctrls {
		e := arr[i*sizeExtControl:]
		if set {
			d.set(c, vals[i])
		}
		if c.Type == v4l2.CtrlInteger64 {
			e.put64(12, d.values[c.ID])
		} else if c.Type != v4l2.CtrlButton {
			e.put32(12, uint32(int32(d.values[c.ID])))
		}
	}
	return nil
}
