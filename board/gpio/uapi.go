//go:build linux

package gpio

import (
	"unsafe"

	"github.com/p2pcam/p2pcam/internal/ioc"
)

// Go mirrors of the v2 uAPI structs of include/uapi/linux/gpio.h. Every
// 64-bit field sits at a multiple of 8 through explicit padding, so the
// layout is the same on every architecture, 32-bit ones included (where
// Go aligns uint64 to 4); layout_test.go pins it.

const (
	maxNameSize  = 32 // GPIO_MAX_NAME_SIZE
	linesMax     = 64 // GPIO_V2_LINES_MAX
	numAttrsMax  = 10 // GPIO_V2_LINE_NUM_ATTRS_MAX
	gpioIoctlMag = 0xB4
)

// gpiochip_info
type chipInfo struct {
	Name  [maxNameSize]byte
	Label [maxNameSize]byte
	Lines uint32
}

// gpio_v2_line_values: bit i of Bits is the value of the i-th requested
// line, for the lines whose bit is set in Mask.
type lineValues struct {
	Bits uint64
	Mask uint64
}

// gpio_v2_line_attribute: Value is the union of flags, values and
// debounce_period_us.
type lineAttribute struct {
	ID      uint32
	Padding uint32
	Value   uint64
}

// gpio_v2_line_config_attribute
type lineConfigAttribute struct {
	Attr lineAttribute
	Mask uint64
}

// gpio_v2_line_config
type lineConfig struct {
	Flags    uint64
	NumAttrs uint32
	Padding  [5]uint32
	Attrs    [numAttrsMax]lineConfigAttribute
}

// gpio_v2_line_request
type lineRequest struct {
	Offsets         [linesMax]uint32
	Consumer        [maxNameSize]byte
	Config          lineConfig
	NumLines        uint32
	EventBufferSize uint32
	Padding         [5]uint32
	FD              int32
}

// enum gpio_v2_line_flag
const (
	flagActiveLow   uint64 = 1 << 1
	flagInput       uint64 = 1 << 2
	flagOutput      uint64 = 1 << 3
	flagEdgeRising  uint64 = 1 << 4
	flagEdgeFalling uint64 = 1 << 5
)

// gpio_v2_line_event: what a read of a line descriptor with edge
// detection returns, one per edge. ID is an enum gpio_v2_line_event_id.
type lineEvent struct {
	TimestampNs uint64
	ID          uint32
	Offset      uint32
	Seqno       uint32
	LineSeqno   uint32
	Padding     [6]uint32
}

// enum gpio_v2_line_event_id
const (
	eventRisingEdge  = 1
	eventFallingEdge = 2
)

// enum gpio_v2_line_attr_id
const attrOutputValues = 2

// The requests the package issues.
var (
	getChipInfoIoctl   = ioc.IOR(gpioIoctlMag, 0x01, unsafe.Sizeof(chipInfo{}))
	getLineIoctl       = ioc.IOWR(gpioIoctlMag, 0x07, unsafe.Sizeof(lineRequest{}))
	lineGetValuesIoctl = ioc.IOWR(gpioIoctlMag, 0x0E, unsafe.Sizeof(lineValues{}))
	lineSetValuesIoctl = ioc.IOWR(gpioIoctlMag, 0x0F, unsafe.Sizeof(lineValues{}))
)

// cString returns the NUL-terminated string in b.
func cString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}
