//go:build linux

package v4l2

import (
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// CtrlType is a control's type, enum v4l2_ctrl_type.
type CtrlType uint32

// Control types. Compound types (0x100 and up) are listed but their
// values are not read.
const (
	CtrlInteger     CtrlType = 1
	CtrlBoolean     CtrlType = 2
	CtrlMenu        CtrlType = 3
	CtrlButton      CtrlType = 4
	CtrlInteger64   CtrlType = 5
	CtrlClass       CtrlType = 6
	CtrlString      CtrlType = 7
	CtrlBitmask     CtrlType = 8
	CtrlIntegerMenu CtrlType = 9
)

// String returns "int", "bool", "menu" and so on.
func (t CtrlType) String() string {
	switch t {
	case CtrlInteger:
		return "int"
	case CtrlBoolean:
		return "bool"
	case CtrlMenu:
		return "menu"
	case CtrlButton:
		return "button"
	case CtrlInteger64:
		return "int64"
	case CtrlClass:
		return "class"
	case CtrlString:
		return "str"
	case CtrlBitmask:
		return "bitmask"
	case CtrlIntegerMenu:
		return "intmenu"
	}
	return fmt.Sprintf("type-0x%x", uint32(t))
}

// hasValue reports whether a control of type t has a scalar value that
// G_EXT_CTRLS returns in value or value64.
func (t CtrlType) hasValue() bool {
	switch t {
	case CtrlInteger, CtrlBoolean, CtrlMenu, CtrlInteger64, CtrlBitmask, CtrlIntegerMenu:
		return true
	}
	return false
}

// CtrlFlag is a set of V4L2_CTRL_FLAG_* bits.
type CtrlFlag uint32

// Control flags.
const (
	CtrlFlagDisabled   CtrlFlag = 0x0001
	CtrlFlagGrabbed    CtrlFlag = 0x0002 // busy: cannot change now (e.g. while streaming)
	CtrlFlagReadOnly   CtrlFlag = 0x0004
	CtrlFlagInactive   CtrlFlag = 0x0010
	CtrlFlagWriteOnly  CtrlFlag = 0x0040
	CtrlFlagVolatile   CtrlFlag = 0x0080
	CtrlFlagHasPayload CtrlFlag = 0x0100
)

// MenuItem is one entry of a menu control.
type MenuItem struct {
	Index int64
	Name  string // for CtrlMenu
	Value int64  // for CtrlIntegerMenu
}

// ControlInfo describes a control (VIDIOC_QUERY_EXT_CTRL) and, when it
// has a readable scalar value, holds that value.
type ControlInfo struct {
	ID       uint32
	Name     string
	Type     CtrlType
	Min, Max int64
	Step     uint64
	Default  int64
	Flags    CtrlFlag
	// Value is the current value; HasValue is false when there is none
	// to read (buttons, classes, strings, compound and write-only
	// controls) or it could not be read.
	Value    int64
	HasValue bool
	// Menu lists the items of a menu control.
	Menu []MenuItem
}

// Controls lists every control of the device, class headings
// (Type CtrlClass) included, with their current values and menus.
// Disabled controls are left out.
func (d *Device) Controls() ([]ControlInfo, error) {
	done, err := d.use()
	if err != nil {
		return nil, err
	}
	defer done()
	var out []ControlInfo
	id := uint32(0)
	for range maxEnum {
		c, err := d.queryControl(id | ctrlFlagNextCtrl)
		if err != nil {
			if errors.Is(err, unix.EINVAL) {
				break
			}
			return out, err
		}
		if c.ID&ctrlIDMask <= id&ctrlIDMask && id != 0 {
			break // a driver that does not advance
		}
		id = c.ID
		if c.Flags&CtrlFlagDisabled != 0 {
			continue
		}
		if c.Type.hasValue() && c.Flags&CtrlFlagWriteOnly == 0 {
			v, err := d.getControls([]uint32{c.ID})
			if err != nil && c.Type != CtrlInteger64 && !isGone(err) {
				// Drivers without the control framework may know only
				// VIDIOC_G_CTRL.
				k := control{ID: c.ID}
				if d.ioctl(vidiocGCtrl, unsafe.Pointer(&k)) == nil {
					v, err = []int64{int64(k.Value)}, nil
				}
			}
			if err == nil {
				c.Value, c.HasValue = v[0], true
			} else if isGone(err) {
				return out, err
			}
		}
		if c.Type == CtrlMenu || c.Type == CtrlIntegerMenu {
			c.Menu = d.menu(c)
		}
		out = append(out, c)
	}
	return out, nil
}

// QueryControl describes one control, without its value and menu.
func (d *Device) QueryControl(id uint32) (ControlInfo, error) {
	done, err := d.use()
	if err != nil {
		return ControlInfo{}, err
	}
	defer done()
	return d.queryControl(id)
}

// queryControl issues VIDIOC_QUERY_EXT_CTRL, or VIDIOC_QUERYCTRL on
// drivers older than Linux 3.19 that lack it.
func (d *Device) queryControl(id uint32) (ControlInfo, error) {
	k := queryExtCtrl{ID: id}
	err := d.ioctl(vidiocQueryExtCtrl, unsafe.Pointer(&k))
	var c ControlInfo
	switch {
	case err == nil:
		c = decodeQueryExtCtrl(&k)
	case errors.Is(err, unix.ENOTTY):
		q := queryctrl{ID: id}
		if err := d.ioctl(vidiocQueryctrl, unsafe.Pointer(&q)); err != nil {
			return ControlInfo{}, err
		}
		c = decodeQueryctrl(&q)
	default:
		return ControlInfo{}, err
	}
	d.mu.Lock()
	if d.ctrlTypes == nil {
		d.ctrlTypes = make(map[uint32]CtrlType)
	}
	d.ctrlTypes[c.ID] = c.Type
	d.mu.Unlock()
	return c, nil
}

func decodeQueryExtCtrl(k *queryExtCtrl) ControlInfo {
	return ControlInfo{
		ID: k.ID, Name: cString(k.Name[:]), Type: CtrlType(k.Type),
		Min: k.Minimum, Max: k.Maximum, Step: k.Step, Default: k.DefaultValue,
		Flags: CtrlFlag(k.Flags),
	}
}

func decodeQueryctrl(k *queryctrl) ControlInfo {
	return ControlInfo{
		ID: k.ID, Name: cString(k.Name[:]), Type: CtrlType(k.Type),
		Min: int64(k.Minimum), Max: int64(k.Maximum), Step: uint64(uint32(k.Step)),
		Default: int64(k.DefaultValue), Flags: CtrlFlag(k.Flags),
	}
}

// menu lists the valid items of a menu control; drivers may skip
// indices, which VIDIOC_QUERYMENU answers with EINVAL.
func (d *Device) menu(c ControlInfo) []MenuItem {
	if c.Min < 0 || c.Max < c.Min || c.Max-c.Min > 255 {
		return nil
	}
	var items []MenuItem
	for i := c.Min; i <= c.Max; i++ {
		k := querymenu{ID: c.ID, Index: uint32(i)}
		if err := d.ioctl(vidiocQuerymenu, unsafe.Pointer(&k)); err != nil {
			continue
		}
		it := MenuItem{Index: i}
		if c.Type == CtrlIntegerMenu {
			it.Value = int64(binary.NativeEndian.Uint64(k.Name[:8]))
		} else {
			it.Name = cString(k.Name[:])
		}
		items = append(items, it)
	}
	return items
}

// GetControl reads one control with VIDIOC_G_CTRL (32-bit value).
func (d *Device) GetControl(id uint32) (int32, error) {
	k := control{ID: id}
	if err := d.do(vidiocGCtrl, unsafe.Pointer(&k)); err != nil {
		return 0, fmt.Errorf("%w (control 0x%08x)", err, id)
	}
	return k.Value, nil
}

// SetControl sets one control with VIDIOC_S_CTRL (32-bit value).
func (d *Device) SetControl(id uint32, value int32) error {
	k := control{ID: id, Value: value}
	if err := d.do(vidiocSCtrl, unsafe.Pointer(&k)); err != nil {
		return fmt.Errorf("%w (control 0x%08x = %d)", err, id, value)
	}
	return nil
}

// ControlValue is a control ID and a value, for SetControls.
type ControlValue struct {
	ID    uint32
	Value int64
}

// GetControls reads controls with VIDIOC_G_EXT_CTRLS, 64-bit values
// included, in one call.
func (d *Device) GetControls(ids ...uint32) ([]int64, error) {
	done, err := d.use()
	if err != nil {
		return nil, err
	}
	defer done()
	return d.getControls(ids)
}

func (d *Device) getControls(ids []uint32) ([]int64, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	cs := make([]extControl, len(ids))
	for i, id := range ids {
		cs[i].ID = id
	}
	if err := d.extCtrls(vidiocGExtCtrls, cs); err != nil {
		return nil, err
	}
	out := make([]int64, len(cs))
	for i := range cs {
		if d.is64(cs[i].ID) {
			out[i] = int64(binary.NativeEndian.Uint64(cs[i].Value[:]))
		} else {
			out[i] = int64(int32(binary.NativeEndian.Uint32(cs[i].Value[:4])))
		}
	}
	return out, nil
}

// is64 reports whether control id is a CtrlInteger64, whose value is
// the value64 member of the union; all other scalar controls use the
// 32-bit value member. Types are learnt from the driver once and
// cached. The caller holds use().
func (d *Device) is64(id uint32) bool {
	d.mu.Lock()
	t, ok := d.ctrlTypes[id]
	d.mu.Unlock()
	if !ok {
		c, err := d.queryControl(id)
		if err != nil {
			return false // the get or set that follows reports the error
		}
		t = c.Type
	}
	return t == CtrlInteger64
}

// SetControls sets controls with one VIDIOC_S_EXT_CTRLS call, all or
// none: the driver validates them all before applying any. The error
// names the control the driver rejected. On a driver without extended
// controls it falls back to VIDIOC_S_CTRL for each, in order.
func (d *Device) SetControls(values ...ControlValue) error {
	if len(values) == 0 {
		return nil
	}
	done, err := d.use()
	if err != nil {
		return err
	}
	defer done()
	cs := make([]extControl, len(values))
	for i, v := range values {
		cs[i].ID = v.ID
		if d.is64(v.ID) {
			binary.NativeEndian.PutUint64(cs[i].Value[:], uint64(v.Value))
		} else {
			binary.NativeEndian.PutUint32(cs[i].Value[:4], uint32(int32(v.Value)))
		}
	}
	err = d.extCtrls(vidiocSExtCtrls, cs)
	if !errors.Is(err, unix.ENOTTY) {
		return err
	}
	// A driver without extended controls: one VIDIOC_S_CTRL each, in
	// order, which is not all-or-nothing.
	for _, v := range values {
		k := control{ID: v.ID, Value: int32(v.Value)}
		if err := d.ioctl(vidiocSCtrl, unsafe.Pointer(&k)); err != nil {
			return fmt.Errorf("%w (control 0x%08x = %d)", err, v.ID, v.Value)
		}
	}
	return nil
}

// extCtrls issues G_EXT_CTRLS or S_EXT_CTRLS for cs. When every control
// is of one class, the request names that class, which drivers older
// than Linux 4.4 require; otherwise it uses V4L2_CTRL_WHICH_CUR_VAL.
func (d *Device) extCtrls(req uint, cs []extControl) error {
	which := cs[0].ID & ctrlClassMask
	for _, c := range cs[1:] {
		if c.ID&ctrlClassMask != which {
			which = ctrlWhichCurVal
		}
	}
	k := extControls{Which: which, Count: uint32(len(cs)), Controls: &cs[0]}
	err := d.ioctl(req, unsafe.Pointer(&k))
	runtime.KeepAlive(cs)
	if err == nil {
		return nil
	}
	if int(k.ErrorIdx) < len(cs) {
		return fmt.Errorf("%w (control 0x%08x)", err, cs[k.ErrorIdx].ID)
	}
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = fmt.Sprintf("0x%08x", c.ID)
	}
	return fmt.Errorf("%w (controls %s)", err, strings.Join(ids, ", "))
}

// ForceKeyFrame asks an encoder for an IDR frame as soon as possible
// (V4L2_CID_MPEG_VIDEO_FORCE_KEY_FRAME).
func (d *Device) ForceKeyFrame() error {
	return d.SetControls(ControlValue{ID: CIDVideoForceKeyFrame, Value: 1})
}
