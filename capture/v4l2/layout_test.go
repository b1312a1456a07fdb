//go:build linux

package v4l2

import (
	"runtime"
	"testing"
	"unsafe"

	"github.com/p2pcam/p2pcam/internal/ioc"
)

// The tables below pin the sizes and offsets of the struct mirrors and
// the ioctl request numbers, per GOARCH, to what the C compiler makes of
// linux/videodev2.h (Linux 6.1 uAPI, Debian 12). Ground truth came from
// testdata/layout.c, built by testdata/gen-layout.sh with gcc for amd64
// and with Debian's cross compilers (aarch64-linux-gnu,
// arm-linux-gnueabihf, mipsel-linux-gnu, i686-linux-gnu) for the others,
// run under qemu-user; its output is kept in testdata/layout.txt.
//
// The 32-bit columns are the legacy 32-bit time_t layout (the C
// library's default there): v4l2_buffer is 68 bytes, so QUERYBUF, QBUF
// and DQBUF are 0xc044560x. A 64-bit time_t build would use 80 (arm) or
// 76 (386) bytes and 0xc050560x / 0xc04c560x instead (also in
// layout.txt); the kernel accepts both, and the package uses the legacy
// one (see types.go). MIPS encodes the direction in 3 bits with other
// values, which is why its QUERYCAP (_IOR) and STREAMON (_IOW) differ.

// pinnedArchs are the columns of the tables.
var pinnedArchs = [...]string{"amd64", "arm64", "arm", "mipsle", "386"}

const nArch = len(pinnedArchs)

type pinnedSize struct {
	name string
	got  uintptr
	want [nArch]uintptr
}

type pinnedIoctl struct {
	name string
	got  uint
	want [nArch]uint
}

var pinnedSizes = []pinnedSize{
	{"v4l2_capability", unsafe.Sizeof(capability{}), [nArch]uintptr{104, 104, 104, 104, 104}},
	{"v4l2_fmtdesc", unsafe.Sizeof(fmtdesc{}), [nArch]uintptr{64, 64, 64, 64, 64}},
	{"v4l2_pix_format", unsafe.Sizeof(pixFormat{}), [nArch]uintptr{48, 48, 48, 48, 48}},
	{"v4l2_pix_format_mplane", unsafe.Sizeof(pixFormatMplane{}), [nArch]uintptr{192, 192, 192, 192, 192}},
	{"v4l2_format", unsafe.Sizeof(format{}), [nArch]uintptr{208, 208, 204, 204, 204}},
	{"v4l2_frmsizeenum", unsafe.Sizeof(frmsizeenum{}), [nArch]uintptr{44, 44, 44, 44, 44}},
	{"v4l2_frmivalenum", unsafe.Sizeof(frmivalenum{}), [nArch]uintptr{52, 52, 52, 52, 52}},
	{"v4l2_requestbuffers", unsafe.Sizeof(requestbuffers{}), [nArch]uintptr{20, 20, 20, 20, 20}},
	{"v4l2_plane", unsafe.Sizeof(plane{}), [nArch]uintptr{64, 64, 60, 60, 60}},
	{"v4l2_buffer", unsafe.Sizeof(buffer{}), [nArch]uintptr{88, 88, 68, 68, 68}},
	{"v4l2_streamparm", unsafe.Sizeof(streamparm{}), [nArch]uintptr{204, 204, 204, 204, 204}},
	{"v4l2_queryctrl", unsafe.Sizeof(queryctrl{}), [nArch]uintptr{68, 68, 68, 68, 68}},
	{"v4l2_query_ext_ctrl", unsafe.Sizeof(queryExtCtrl{}), [nArch]uintptr{232, 232, 232, 232, 232}},
	{"v4l2_control", unsafe.Sizeof(control{}), [nArch]uintptr{8, 8, 8, 8, 8}},
	{"v4l2_ext_control", unsafe.Sizeof(extControl{}), [nArch]uintptr{20, 20, 20, 20, 20}},
	{"v4l2_ext_controls", unsafe.Sizeof(extControls{}), [nArch]uintptr{32, 32, 24, 24, 24}},
	{"v4l2_encoder_cmd", unsafe.Sizeof(encoderCmd{}), [nArch]uintptr{40, 40, 40, 40, 40}},
	{"v4l2_querymenu", unsafe.Sizeof(querymenu{}), [nArch]uintptr{44, 44, 44, 44, 44}},
}
var pinnedOffsets = []pinnedSize{
	{"v4l2_format.fmt", unsafe.Offsetof(format{}.Fmt), [nArch]uintptr{8, 8, 4, 4, 4}},
	{"v4l2_pix_format_mplane.plane_fmt", unsafe.Offsetof(pixFormatMplane{}.PlaneFmt), [nArch]uintptr{20, 20, 20, 20, 20}},
	{"v4l2_pix_format_mplane.num_planes", unsafe.Offsetof(pixFormatMplane{}.NumPlanes), [nArch]uintptr{180, 180, 180, 180, 180}},
	{"v4l2_plane.m", unsafe.Offsetof(plane{}.M), [nArch]uintptr{8, 8, 8, 8, 8}},
	{"v4l2_plane.data_offset", unsafe.Offsetof(plane{}.DataOffset), [nArch]uintptr{16, 16, 12, 12, 12}},
	{"v4l2_buffer.timestamp", unsafe.Offsetof(buffer{}.Timestamp), [nArch]uintptr{24, 24, 20, 20, 20}},
	{"v4l2_buffer.timecode", unsafe.Offsetof(buffer{}.Timecode), [nArch]uintptr{40, 40, 28, 28, 28}},
	{"v4l2_buffer.sequence", unsafe.Offsetof(buffer{}.Sequence), [nArch]uintptr{56, 56, 44, 44, 44}},
	{"v4l2_buffer.memory", unsafe.Offsetof(buffer{}.Memory), [nArch]uintptr{60, 60, 48, 48, 48}},
	{"v4l2_buffer.m", unsafe.Offsetof(buffer{}.M), [nArch]uintptr{64, 64, 52, 52, 52}},
	{"v4l2_buffer.length", unsafe.Offsetof(buffer{}.Length), [nArch]uintptr{72, 72, 56, 56, 56}},
	{"v4l2_buffer.request_fd", unsafe.Offsetof(buffer{}.RequestFD), [nArch]uintptr{80, 80, 64, 64, 64}},
	{"v4l2_streamparm.parm", unsafe.Offsetof(streamparm{}.Parm), [nArch]uintptr{4, 4, 4, 4, 4}},
	{"v4l2_query_ext_ctrl.minimum", unsafe.Offsetof(queryExtCtrl{}.Minimum), [nArch]uintptr{40, 40, 40, 40, 40}},
	{"v4l2_query_ext_ctrl.flags", unsafe.Offsetof(queryExtCtrl{}.Flags), [nArch]uintptr{72, 72, 72, 72, 72}},
	{"v4l2_query_ext_ctrl.dims", unsafe.Offsetof(queryExtCtrl{}.Dims), [nArch]uintptr{88, 88, 88, 88, 88}},
	{"v4l2_ext_control.value", unsafe.Offsetof(extControl{}.Value), [nArch]uintptr{12, 12, 12, 12, 12}},
	{"v4l2_ext_controls.controls", unsafe.Offsetof(extControls{}.Controls), [nArch]uintptr{24, 24, 20, 20, 20}},
	{"v4l2_frmsizeenum.discrete", unsafe.Offsetof(frmsizeenum{}.Union), [nArch]uintptr{12, 12, 12, 12, 12}},
	{"v4l2_frmivalenum.discrete", unsafe.Offsetof(frmivalenum{}.Union), [nArch]uintptr{20, 20, 20, 20, 20}},
}
var pinnedIoctls = []pinnedIoctl{
	{"VIDIOC_QUERYCAP", vidiocQuerycap, [nArch]uint{0x80685600, 0x80685600, 0x80685600, 0x40685600, 0x80685600}},
	{"VIDIOC_ENUM_FMT", vidiocEnumFmt, [nArch]uint{0xc0405602, 0xc0405602, 0xc0405602, 0xc0405602, 0xc0405602}},
	{"VIDIOC_G_FMT", vidiocGFmt, [nArch]uint{0xc0d05604, 0xc0d05604, 0xc0cc5604, 0xc0cc5604, 0xc0cc5604}},
	{"VIDIOC_S_FMT", vidiocSFmt, [nArch]uint{0xc0d05605, 0xc0d05605, 0xc0cc5605, 0xc0cc5605, 0xc0cc5605}},
	{"VIDIOC_TRY_FMT", vidiocTryFmt, [nArch]uint{0xc0d05640, 0xc0d05640, 0xc0cc5640, 0xc0cc5640, 0xc0cc5640}},
	{"VIDIOC_ENUM_FRAMESIZES", vidiocEnumFramesizes, [nArch]uint{0xc02c564a, 0xc02c564a, 0xc02c564a, 0xc02c564a, 0xc02c564a}},
	{"VIDIOC_ENUM_FRAMEINTERVALS", vidiocEnumFrameintervals, [nArch]uint{0xc034564b, 0xc034564b, 0xc034564b, 0xc034564b, 0xc034564b}},
	{"VIDIOC_REQBUFS", vidiocReqbufs, [nArch]uint{0xc0145608, 0xc0145608, 0xc0145608, 0xc0145608, 0xc0145608}},
	{"VIDIOC_QUERYBUF", vidiocQuerybuf, [nArch]uint{0xc0585609, 0xc0585609, 0xc0445609, 0xc0445609, 0xc0445609}},
	{"VIDIOC_QBUF", vidiocQbuf, [nArch]uint{0xc058560f, 0xc058560f, 0xc044560f, 0xc044560f, 0xc044560f}},
	{"VIDIOC_DQBUF", vidiocDqbuf, [nArch]uint{0xc0585611, 0xc0585611, 0xc0445611, 0xc0445611, 0xc0445611}},
	{"VIDIOC_STREAMON", vidiocStreamon, [nArch]uint{0x40045612, 0x40045612, 0x40045612, 0x80045612, 0x40045612}},
	{"VIDIOC_STREAMOFF", vidiocStreamoff, [nArch]uint{0x40045613, 0x40045613, 0x40045613, 0x80045613, 0x40045613}},
	{"VIDIOC_G_PARM", vidiocGParm, [nArch]uint{0xc0cc5615, 0xc0cc5615, 0xc0cc5615, 0xc0cc5615, 0xc0cc5615}},
	{"VIDIOC_S_PARM", vidiocSParm, [nArch]uint{0xc0cc5616, 0xc0cc5616, 0xc0cc5616, 0xc0cc5616, 0xc0cc5616}},
	{"VIDIOC_QUERYCTRL", vidiocQueryctrl, [nArch]uint{0xc0445624, 0xc0445624, 0xc0445624, 0xc0445624, 0xc0445624}},
	{"VIDIOC_G_CTRL", vidiocGCtrl, [nArch]uint{0xc008561b, 0xc008561b, 0xc008561b, 0xc008561b, 0xc008561b}},
	{"VIDIOC_S_CTRL", vidiocSCtrl, [nArch]uint{0xc008561c, 0xc008561c, 0xc008561c, 0xc008561c, 0xc008561c}},
	{"VIDIOC_G_EXT_CTRLS", vidiocGExtCtrls, [nArch]uint{0xc0205647, 0xc0205647, 0xc0185647, 0xc0185647, 0xc0185647}},
	{"VIDIOC_S_EXT_CTRLS", vidiocSExtCtrls, [nArch]uint{0xc0205648, 0xc0205648, 0xc0185648, 0xc0185648, 0xc0185648}},
	{"VIDIOC_QUERY_EXT_CTRL", vidiocQueryExtCtrl, [nArch]uint{0xc0e85667, 0xc0e85667, 0xc0e85667, 0xc0e85667, 0xc0e85667}},
	{"VIDIOC_ENCODER_CMD", vidiocEncoderCmd, [nArch]uint{0xc028564d, 0xc028564d, 0xc028564d, 0xc028564d, 0xc028564d}},
	{"VIDIOC_QUERYMENU", vidiocQuerymenu, [nArch]uint{0xc02c5625, 0xc02c5625, 0xc02c5625, 0xc02c5625, 0xc02c5625}},
}

// archColumn returns the table column of the running GOARCH.
func archColumn(t *testing.T) int {
	t.Helper()
	for i, a := range pinnedArchs {
		if a == runtime.GOARCH {
			return i
		}
	}
	t.Skipf("no pinned layout for GOARCH=%s; TestLayoutConsistent still applies", runtime.GOARCH)
	return -1
}

func TestLayoutSizes(t *testing.T) {
	col := archColumn(t)
	for _, tc := range pinnedSizes {
		if tc.got != tc.want[col] {
			t.Errorf("sizeof(struct %s) = %d on %s, kernel has %d", tc.name, tc.got, runtime.GOARCH, tc.want[col])
		}
	}
}

func TestLayoutOffsets(t *testing.T) {
	col := archColumn(t)
	for _, tc := range pinnedOffsets {
		if tc.got != tc.want[col] {
			t.Errorf("offsetof(%s) = %d on %s, kernel has %d", tc.name, tc.got, runtime.GOARCH, tc.want[col])
		}
	}
}

func TestIoctlNumbers(t *testing.T) {
	col := archColumn(t)
	for _, tc := range pinnedIoctls {
		if tc.got != tc.want[col] {
			t.Errorf("%s = 0x%08x on %s, kernel has 0x%08x", tc.name, tc.got, runtime.GOARCH, tc.want[col])
		}
	}
	if len(ioctlNames) != len(pinnedIoctls) {
		t.Errorf("%d requests are named but %d pinned", len(ioctlNames), len(pinnedIoctls))
	}
}

// TestLayoutConsistent checks, on every GOARCH, what follows from the C
// rules alone: the union and pointer members are where pointer size and
// alignment put them, and every request encodes its struct's size.
func TestLayoutConsistent(t *testing.T) {
	align := func(n, a uintptr) uintptr { return (n + a - 1) &^ (a - 1) }
	tests := []struct {
		name      string
		got, want uintptr
	}{
		{"format.fmt", unsafe.Offsetof(format{}.Fmt), align(4, ptrSize)},
		{"sizeof format", unsafe.Sizeof(format{}), align(4, ptrSize) + 200},
		{"buffer.timestamp", unsafe.Offsetof(buffer{}.Timestamp), align(20, ptrSize)},
		{"buffer.m", unsafe.Offsetof(buffer{}.M), align(unsafe.Offsetof(buffer{}.Memory)+4, ptrSize)},
		{"sizeof buffer", unsafe.Sizeof(buffer{}), align(unsafe.Offsetof(buffer{}.M)+ptrSize+12, ptrSize)},
		{"plane.data_offset", unsafe.Offsetof(plane{}.DataOffset), 8 + ptrSize},
		{"extControls.controls", unsafe.Offsetof(extControls{}.Controls), align(20, ptrSize)},
		{"sizeof extControl", unsafe.Sizeof(extControl{}), 20},
		{"sizeof querymenu", unsafe.Sizeof(querymenu{}), 44},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s = %d, want %d", tc.name, tc.got, tc.want)
		}
	}
	sizes := map[uint]uintptr{
		vidiocQuerycap: unsafe.Sizeof(capability{}), vidiocGFmt: unsafe.Sizeof(format{}),
		vidiocDqbuf: unsafe.Sizeof(buffer{}), vidiocSExtCtrls: unsafe.Sizeof(extControls{}),
		vidiocStreamon: 4,
	}
	for req, size := range sizes {
		if got := ioc.Size(req); got != size {
			t.Errorf("%s encodes size %d, want %d", ioctlNames[req], got, size)
		}
		if req>>8&0xff != 'V' {
			t.Errorf("%s: type is not 'V'", ioctlNames[req])
		}
	}
}
