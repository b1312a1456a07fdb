//go:build linux

package v4l2test

import (
	"encoding/binary"
	"unsafe"
)

// The fake reads and writes ioctl arguments as bytes, at offsets it
// derives here from the C rules and the pointer size, independently of
// the Go mirrors in package v4l2: a mirror with a wrong layout then
// fails the tests instead of agreeing with itself.

var ptr = int(unsafe.Sizeof(uintptr(0)))

func alignUp(n, a int) int { return (n + a - 1) &^ (a - 1) }

// Offsets and sizes of the arch-dependent structs.
var (
	fmtUnion   = alignUp(4, ptr) // v4l2_format.fmt
	sizeFormat = fmtUnion + 200

	bufTimestamp = alignUp(20, ptr) // struct timeval of two longs
	bufSequence  = bufTimestamp + 2*ptr + 16
	bufMemory    = bufSequence + 4
	bufM         = alignUp(bufMemory+4, ptr)
	bufLength    = bufM + ptr
	sizeBuffer   = alignUp(bufLength+12, ptr)

	planeDataOffset = 8 + ptr
	sizePlane       = alignUp(planeDataOffset+4+44, ptr)

	extCtrlsControls = alignUp(20, ptr)
	sizeExtControls  = extCtrlsControls + ptr
)

// Fixed sizes.
const (
	sizeCapability   = 104
	sizeFmtdesc      = 64
	sizeFrmsizeenum  = 44
	sizeFrmivalenum  = 52
	sizeReqbufs      = 20
	sizeStreamparm   = 204
	sizeQueryctrl    = 68
	sizeQueryExtCtrl = 232
	sizeQuerymenu    = 44
	sizeControl      = 8
	sizeExtControl   = 20
	sizeEncoderCmd   = 40
)

// mem is an ioctl argument or a piece of one.
type mem []byte

func (m mem) u32(off int) uint32          { return binary.NativeEndian.Uint32(m[off:]) }
func (m mem) put32(off int, v uint32)     { binary.NativeEndian.PutUint32(m[off:], v) }
func (m mem) i64(off int) int64           { return int64(binary.NativeEndian.Uint64(m[off:])) }
func (m mem) put64(off int, v int64)      { binary.NativeEndian.PutUint64(m[off:], uint64(v)) }
func (m mem) putStr(off, n int, s string) { copy(m[off:off+n-1], s) }

// long reads a C long.
func (m mem) long(off int) int64 {
	if ptr == 8 {
		return m.i64(off)
	}
	return int64(int32(m.u32(off)))
}

// putLong writes a C long.
func (m mem) putLong(off int, v int64) {
	if ptr == 8 {
		m.put64(off, v)
	} else {
		m.put32(off, uint32(v))
	}
}

// pointee views n bytes at the pointer stored at offset off of arg.
func pointee(arg unsafe.Pointer, off, n int) mem {
	p := *(*unsafe.Pointer)(unsafe.Add(arg, off))
	if p == nil || n <= 0 {
		return nil
	}
	return unsafe.Slice((*byte)(p), n)
}
