//go:build linux

package gpiotest

import (
	"encoding/binary"
	"unsafe"
)

// The C layout of the v2 uAPI (linux/gpio.h), the same on every
// architecture.
const (
	sizeChipInfo   = 68
	sizeLineValues = 16
	sizeLineReq    = 592

	reqConsumer   = 256
	reqFlags      = 288 // config.flags
	reqNumAttrs   = 296 // config.num_attrs
	reqAttrs      = 320 // config.attrs, 24 bytes each
	reqNumLines   = 560
	reqFD         = 588
	sizeAttr      = 24
	attrValue     = 8  // within an attribute: the union
	attrMask      = 16 // within an attribute
	maxLines      = 64
	maxAttrs      = 10
	attrIDOutVals = 2
)

// Line flags (enum gpio_v2_line_flag).
const (
	flagActiveLow = 1 << 1
	flagInput     = 1 << 2
	flagOutput    = 1 << 3
	flagEdgeRise  = 1 << 4
	flagEdgeFall  = 1 << 5
)

// struct gpio_v2_line_event: 48 bytes; timestamp_ns at 0, id at 8
// (1 rising, 2 falling), offset at 12, seqno at 16, line_seqno at 20.
const (
	sizeEvent    = 48
	eventRising  = 1
	eventFalling = 2
)

// The ioctl commands (type 0xB4).
const (
	nrChipInfo  = 0x01
	nrGetLine   = 0x07
	nrGetValues = 0x0E
	nrSetValues = 0x0F
)

// mem is an ioctl argument as bytes.
type mem []byte

func view(arg unsafe.Pointer, size int) mem { return unsafe.Slice((*byte)(arg), size) }

func (m mem) u32(off int) uint32      { return binary.NativeEndian.Uint32(m[off:]) }
func (m mem) u64(off int) uint64      { return binary.NativeEndian.Uint64(m[off:]) }
func (m mem) put32(off int, v uint32) { binary.NativeEndian.PutUint32(m[off:], v) }
func (m mem) put64(off int, v uint64) { binary.NativeEndian.PutUint64(m[off:], v) }
func (m mem) putStr(off, n int, s string) {
	clear(m[off : off+n])
	copy(m[off:off+n-1], s)
}

func (m mem) str(off, n int) string {
	b := m[off : off+n]
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}
