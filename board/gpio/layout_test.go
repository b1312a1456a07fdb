//go:build linux

package gpio

import (
	"runtime"
	"testing"
	"unsafe"
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

var pinnedArchs = [...]string{"amd64", "arm64", "arm", "mipsle", "386"}

const nArch = len(pinnedArchs)

func same[T any](v T) [nArch]T { return [nArch]T{v, v, v, v, v} }

var pinnedSizes = []struct {
	name string
	got  uintptr
	want [nArch]uintptr
}{
	{"sizeof gpiochip_info", unsafe.Sizeof(chipInfo{}), same[uintptr](68)},
	{"sizeof gpio_v2_line_values", unsafe.Sizeof(lineValues{}), same[uintptr](16)},
	{"sizeof gpio_v2_line_attribute", unsafe.Sizeof(lineAttribute{}), same[uintptr](16)},
	{"sizeof gpio_v2_line_config_attribute", unsafe.Sizeof(lineConfigAttribute{}), same[uintptr](24)},
	{"sizeof gpio_v2_line_config", unsafe.Sizeof(lineConfig{}), same[uintptr](272)},
	{"sizeof gpio_v2_line_request", unsafe.Sizeof(lineRequest{}), same[uintptr](592)},
	{"offsetof gpiochip_info.lines", unsafe.Offsetof(chipInfo{}.Lines), same[uintptr](64)},
	{"offsetof gpio_v2_line_attribute.values", unsafe.Offsetof(lineAttribute{}.Value), same[uintptr](8)},
	{"offsetof gpio_v2_line_config_attribute.mask", unsafe.Offsetof(lineConfigAttribute{}.Mask), same[uintptr](16)},
	{"offsetof gpio_v2_line_config.num_attrs", unsafe.Offsetof(lineConfig{}.NumAttrs), same[uintptr](8)},
	{"offsetof gpio_v2_line_config.attrs", unsafe.Offsetof(lineConfig{}.Attrs), same[uintptr](32)},
	{"offsetof gpio_v2_line_request.consumer", unsafe.Offsetof(lineRequest{}.Consumer), same[uintptr](256)},
	{"offsetof gpio_v2_line_request.config", unsafe.Offsetof(lineRequest{}.Config), same[uintptr](288)},
	{"offsetof gpio_v2_line_request.num_lines", unsafe.Offsetof(lineRequest{}.NumLines), same[uintptr](560)},
	{"offsetof gpio_v2_line_request.fd", unsafe.Offsetof(lineRequest{}.FD), same[uintptr](588)},
}

var pinnedIoctls = []struct {
	name string
	got  uint
	want [nArch]uint
}{
	{"GPIO_GET_CHIPINFO_IOCTL", getChipInfoIoctl, [nArch]uint{0x8044b401, 0x8044b401, 0x8044b401, 0x4044b401, 0x8044b401}},
	{"GPIO_V2_GET_LINE_IOCTL", getLineIoctl, same[uint](0xc250b407)},
	{"GPIO_V2_LINE_GET_VALUES_IOCTL", lineGetValuesIoctl, same[uint](0xc010b40e)},
	{"GPIO_V2_LINE_SET_VALUES_IOCTL", lineSetValuesIoctl, same[uint](0xc010b40f)},
}

// qemu-i386 cannot run Go 386 binaries, so the sizes are also checked
// when the tests compile, on every GOARCH: indexing a one-element array
// with a non-zero constant does not compile.
var (
	_ = [1]struct{}{}[unsafe.Sizeof(chipInfo{})-68]
	_ = [1]struct{}{}[unsafe.Sizeof(lineValues{})-16]
	_ = [1]struct{}{}[unsafe.Sizeof(lineConfig{})-272]
	_ = [1]struct{}{}[unsafe.Sizeof(lineRequest{})-592]
	_ = [1]struct{}{}[unsafe.Offsetof(lineRequest{}.Config)-288]
	_ = [1]struct{}{}[unsafe.Offsetof(lineRequest{}.FD)-588]
)

func TestLayoutPinned(t *testing.T) {
	col := -1
	for i, a := range pinnedArchs {
		if a == runtime.GOARCH {
			col = i
		}
	}
	if col < 0 {
		t.Skipf("no pinned layout for GOARCH=%s", runtime.GOARCH)
	}
	for _, p := range pinnedSizes {
		if p.got != p.want[col] {
			t.Errorf("%s = %d on %s, want %d", p.name, p.got, runtime.GOARCH, p.want[col])
		}
	}
	for _, p := range pinnedIoctls {
		if p.got != p.want[col] {
			t.Errorf("%s = %#010x on %s, want %#010x", p.name, p.got, runtime.GOARCH, p.want[col])
		}
	}
}
