//go:build linux

package gpio

import (
	"testing"
	"unsafe"

	"github.com/p2pcam/p2pcam/internal/ioctltest"
)

// The sizes, offsets and request numbers below are pinned per GOARCH to
// what the C compiler makes of linux/gpio.h (the v2 uAPI; Linux 6.1
// headers of Debian 12). Ground truth: testdata/layout.c, built by
// testdata/gen.sh with gcc for amd64 and with Debian's cross compilers
// (aarch64-linux-gnu, arm-linux-gnueabihf, mipsel-linux-gnu,
// i686-linux-gnu) for the others, run under qemu-user; its output is
// testdata/layout.txt. The structs are the same everywhere; only MIPS's
// _IOC encoding differs: GPIO_GET_CHIPINFO_IOCTL, an _IOR, is 0x4044b401
// there. _IOWR requests come out equal, since read|write is 0b11 in the
// top two bits either way.

var same = ioctltest.Same[uintptr]

var pinnedSizes = []ioctltest.Pin[uintptr]{
	{Name: "sizeof gpiochip_info", Got: unsafe.Sizeof(chipInfo{}), Want: same(68)},
	{Name: "sizeof gpio_v2_line_values", Got: unsafe.Sizeof(lineValues{}), Want: same(16)},
	{Name: "sizeof gpio_v2_line_attribute", Got: unsafe.Sizeof(lineAttribute{}), Want: same(16)},
	{Name: "sizeof gpio_v2_line_config_attribute", Got: unsafe.Sizeof(lineConfigAttribute{}), Want: same(24)},
	{Name: "sizeof gpio_v2_line_config", Got: unsafe.Sizeof(lineConfig{}), Want: same(272)},
	{Name: "sizeof gpio_v2_line_request", Got: unsafe.Sizeof(lineRequest{}), Want: same(592)},
	{Name: "sizeof gpio_v2_line_event", Got: unsafe.Sizeof(lineEvent{}), Want: same(48)},
	{Name: "offsetof gpio_v2_line_event.id", Got: unsafe.Offsetof(lineEvent{}.ID), Want: same(8)},
	{Name: "offsetof gpio_v2_line_event.line_seqno", Got: unsafe.Offsetof(lineEvent{}.LineSeqno), Want: same(20)},
	{Name: "offsetof gpiochip_info.lines", Got: unsafe.Offsetof(chipInfo{}.Lines), Want: same(64)},
	{Name: "offsetof gpio_v2_line_attribute.values", Got: unsafe.Offsetof(lineAttribute{}.Value), Want: same(8)},
	{Name: "offsetof gpio_v2_line_config_attribute.mask", Got: unsafe.Offsetof(lineConfigAttribute{}.Mask), Want: same(16)},
	{Name: "offsetof gpio_v2_line_config.num_attrs", Got: unsafe.Offsetof(lineConfig{}.NumAttrs), Want: same(8)},
	{Name: "offsetof gpio_v2_line_config.attrs", Got: unsafe.Offsetof(lineConfig{}.Attrs), Want: same(32)},
	{Name: "offsetof gpio_v2_line_request.consumer", Got: unsafe.Offsetof(lineRequest{}.Consumer), Want: same(256)},
	{Name: "offsetof gpio_v2_line_request.config", Got: unsafe.Offsetof(lineRequest{}.Config), Want: same(288)},
	{Name: "offsetof gpio_v2_line_request.num_lines", Got: unsafe.Offsetof(lineRequest{}.NumLines), Want: same(560)},
	{Name: "offsetof gpio_v2_line_request.fd", Got: unsafe.Offsetof(lineRequest{}.FD), Want: same(588)},
}

var pinnedIoctls = []ioctltest.Pin[uint]{
	{Name: "GPIO_GET_CHIPINFO_IOCTL", Got: getChipInfoIoctl, Want: [ioctltest.NArch]uint{0x8044b401, 0x8044b401, 0x8044b401, 0x4044b401, 0x8044b401}},
	{Name: "GPIO_V2_GET_LINE_IOCTL", Got: getLineIoctl, Want: ioctltest.Same[uint](0xc250b407)},
	{Name: "GPIO_V2_LINE_GET_VALUES_IOCTL", Got: lineGetValuesIoctl, Want: ioctltest.Same[uint](0xc010b40e)},
	{Name: "GPIO_V2_LINE_SET_VALUES_IOCTL", Got: lineSetValuesIoctl, Want: ioctltest.Same[uint](0xc010b40f)},
}

// qemu-i386 cannot run Go 386 binaries, so the sizes are also checked
// when the tests compile, on every GOARCH: indexing a one-element array
// with a non-zero constant does not compile.
var (
	_ = [1]struct{}{}[unsafe.Sizeof(chipInfo{})-68]
	_ = [1]struct{}{}[unsafe.Sizeof(lineValues{})-16]
	_ = [1]struct{}{}[unsafe.Sizeof(lineConfig{})-272]
	_ = [1]struct{}{}[unsafe.Sizeof(lineRequest{})-592]
	_ = [1]struct{}{}[unsafe.Sizeof(lineEvent{})-48]
	_ = [1]struct{}{}[unsafe.Offsetof(lineRequest{}.Config)-288]
	_ = [1]struct{}{}[unsafe.Offsetof(lineRequest{}.FD)-588]
)

func TestLayoutPinned(t *testing.T) {
	ioctltest.Check(t, pinnedSizes, "%s = %d on %s, want %d")
	ioctltest.Check(t, pinnedIoctls, "%s = %#010x on %s, want %#010x")
}
