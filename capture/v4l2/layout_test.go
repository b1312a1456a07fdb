//go:build linux

package v4l2

import (
	"testing"
	"unsafe"

	"github.com/p2pcam/p2pcam/internal/ioc"
	"github.com/p2pcam/p2pcam/internal/ioctltest"
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

var pinnedSizes = []ioctltest.Pin[uintptr]{
	{Name: "v4l2_capability", Got: unsafe.Sizeof(capability{}), Want: [ioctltest.NArch]uintptr{104, 104, 104, 104, 104}},
	{Name: "v4l2_fmtdesc", Got: unsafe.Sizeof(fmtdesc{}), Want: [ioctltest.NArch]uintptr{64, 64, 64, 64, 64}},
	{Name: "v4l2_pix_format", Got: unsafe.Sizeof(pixFormat{}), Want: [ioctltest.NArch]uintptr{48, 48, 48, 48, 48}},
	{Name: "v4l2_pix_format_mplane", Got: unsafe.Sizeof(pixFormatMplane{}), Want: [ioctltest.NArch]uintptr{192, 192, 192, 192, 192}},
	{Name: "v4l2_format", Got: unsafe.Sizeof(format{}), Want: [ioctltest.NArch]uintptr{208, 208, 204, 204, 204}},
	{Name: "v4l2_frmsizeenum", Got: unsafe.Sizeof(frmsizeenum{}), Want: [ioctltest.NArch]uintptr{44, 44, 44, 44, 44}},
	{Name: "v4l2_frmivalenum", Got: unsafe.Sizeof(frmivalenum{}), Want: [ioctltest.NArch]uintptr{52, 52, 52, 52, 52}},
	{Name: "v4l2_requestbuffers", Got: unsafe.Sizeof(requestbuffers{}), Want: [ioctltest.NArch]uintptr{20, 20, 20, 20, 20}},
	{Name: "v4l2_plane", Got: unsafe.Sizeof(plane{}), Want: [ioctltest.NArch]uintptr{64, 64, 60, 60, 60}},
	{Name: "v4l2_buffer", Got: unsafe.Sizeof(buffer{}), Want: [ioctltest.NArch]uintptr{88, 88, 68, 68, 68}},
	{Name: "v4l2_streamparm", Got: unsafe.Sizeof(streamparm{}), Want: [ioctltest.NArch]uintptr{204, 204, 204, 204, 204}},
	{Name: "v4l2_queryctrl", Got: unsafe.Sizeof(queryctrl{}), Want: [ioctltest.NArch]uintptr{68, 68, 68, 68, 68}},
	{Name: "v4l2_query_ext_ctrl", Got: unsafe.Sizeof(queryExtCtrl{}), Want: [ioctltest.NArch]uintptr{232, 232, 232, 232, 232}},
	{Name: "v4l2_control", Got: unsafe.Sizeof(control{}), Want: [ioctltest.NArch]uintptr{8, 8, 8, 8, 8}},
	{Name: "v4l2_ext_control", Got: unsafe.Sizeof(extControl{}), Want: [ioctltest.NArch]uintptr{20, 20, 20, 20, 20}},
	{Name: "v4l2_ext_controls", Got: unsafe.Sizeof(extControls{}), Want: [ioctltest.NArch]uintptr{32, 32, 24, 24, 24}},
	{Name: "v4l2_encoder_cmd", Got: unsafe.Sizeof(encoderCmd{}), Want: [ioctltest.NArch]uintptr{40, 40, 40, 40, 40}},
	{Name: "v4l2_querymenu", Got: unsafe.Sizeof(querymenu{}), Want: [ioctltest.NArch]uintptr{44, 44, 44, 44, 44}},
}
var pinnedOffsets = []ioctltest.Pin[uintptr]{
	{Name: "v4l2_format.fmt", Got: unsafe.Offsetof(format{}.Fmt), Want: [ioctltest.NArch]uintptr{8, 8, 4, 4, 4}},
	{Name: "v4l2_pix_format_mplane.plane_fmt", Got: unsafe.Offsetof(pixFormatMplane{}.PlaneFmt), Want: [ioctltest.NArch]uintptr{20, 20, 20, 20, 20}},
	{Name: "v4l2_pix_format_mplane.num_planes", Got: unsafe.Offsetof(pixFormatMplane{}.NumPlanes), Want: [ioctltest.NArch]uintptr{180, 180, 180, 180, 180}},
	{Name: "v4l2_plane.m", Got: unsafe.Offsetof(plane{}.M), Want: [ioctltest.NArch]uintptr{8, 8, 8, 8, 8}},
	{Name: "v4l2_plane.data_offset", Got: unsafe.Offsetof(plane{}.DataOffset), Want: [ioctltest.NArch]uintptr{16, 16, 12, 12, 12}},
	{Name: "v4l2_buffer.timestamp", Got: unsafe.Offsetof(buffer{}.Timestamp), Want: [ioctltest.NArch]uintptr{24, 24, 20, 20, 20}},
	{Name: "v4l2_buffer.timecode", Got: unsafe.Offsetof(buffer{}.Timecode), Want: [ioctltest.NArch]uintptr{40, 40, 28, 28, 28}},
	{Name: "v4l2_buffer.sequence", Got: unsafe.Offsetof(buffer{}.Sequence), Want: [ioctltest.NArch]uintptr{56, 56, 44, 44, 44}},
	{Name: "v4l2_buffer.memory", Got: unsafe.Offsetof(buffer{}.Memory), Want: [ioctltest.NArch]uintptr{60, 60, 48, 48, 48}},
	{Name: "v4l2_buffer.m", Got: unsafe.Offsetof(buffer{}.M), Want: [ioctltest.NArch]uintptr{64, 64, 52, 52, 52}},
	{Name: "v4l2_buffer.length", Got: unsafe.Offsetof(buffer{}.Length), Want: [ioctltest.NArch]uintptr{72, 72, 56, 56, 56}},
	{Name: "v4l2_buffer.request_fd", Got: unsafe.Offsetof(buffer{}.RequestFD), Want: [ioctltest.NArch]uintptr{80, 80, 64, 64, 64}},
	{Name: "v4l2_streamparm.parm", Got: unsafe.Offsetof(streamparm{}.Parm), Want: [ioctltest.NArch]uintptr{4, 4, 4, 4, 4}},
	{Name: "v4l2_query_ext_ctrl.minimum", Got: unsafe.Offsetof(queryExtCtrl{}.Minimum), Want: [ioctltest.NArch]uintptr{40, 40, 40, 40, 40}},
	{Name: "v4l2_query_ext_ctrl.flags", Got: unsafe.Offsetof(queryExtCtrl{}.Flags), Want: [ioctltest.NArch]uintptr{72, 72, 72, 72, 72}},
	{Name: "v4l2_query_ext_ctrl.dims", Got: unsafe.Offsetof(queryExtCtrl{}.Dims), Want: [ioctltest.NArch]uintptr{88, 88, 88, 88, 88}},
	{Name: "v4l2_ext_control.value", Got: unsafe.Offsetof(extControl{}.Value), Want: [ioctltest.NArch]uintptr{12, 12, 12, 12, 12}},
	{Name: "v4l2_ext_controls.controls", Got: unsafe.Offsetof(extControls{}.Controls), Want: [ioctltest.NArch]uintptr{24, 24, 20, 20, 20}},
	{Name: "v4l2_frmsizeenum.discrete", Got: unsafe.Offsetof(frmsizeenum{}.Union), Want: [ioctltest.NArch]uintptr{12, 12, 12, 12, 12}},
	{Name: "v4l2_frmivalenum.discrete", Got: unsafe.Offsetof(frmivalenum{}.Union), Want: [ioctltest.NArch]uintptr{20, 20, 20, 20, 20}},
}
var pinnedIoctls = []ioctltest.Pin[uint]{
	{Name: "VIDIOC_QUERYCAP", Got: vidiocQuerycap, Want: [ioctltest.NArch]uint{0x80685600, 0x80685600, 0x80685600, 0x40685600, 0x80685600}},
	{Name: "VIDIOC_ENUM_FMT", Got: vidiocEnumFmt, Want: [ioctltest.NArch]uint{0xc0405602, 0xc0405602, 0xc0405602, 0xc0405602, 0xc0405602}},
	{Name: "VIDIOC_G_FMT", Got: vidiocGFmt, Want: [ioctltest.NArch]uint{0xc0d05604, 0xc0d05604, 0xc0cc5604, 0xc0cc5604, 0xc0cc5604}},
	{Name: "VIDIOC_S_FMT", Got: vidiocSFmt, Want: [ioctltest.NArch]uint{0xc0d05605, 0xc0d05605, 0xc0cc5605, 0xc0cc5605, 0xc0cc5605}},
	{Name: "VIDIOC_TRY_FMT", Got: vidiocTryFmt, Want: [ioctltest.NArch]uint{0xc0d05640, 0xc0d05640, 0xc0cc5640, 0xc0cc5640, 0xc0cc5640}},
	{Name: "VIDIOC_ENUM_FRAMESIZES", Got: vidiocEnumFramesizes, Want: [ioctltest.NArch]uint{0xc02c564a, 0xc02c564a, 0xc02c564a, 0xc02c564a, 0xc02c564a}},
	{Name: "VIDIOC_ENUM_FRAMEINTERVALS", Got: vidiocEnumFrameintervals, Want: [ioctltest.NArch]uint{0xc034564b, 0xc034564b, 0xc034564b, 0xc034564b, 0xc034564b}},
	{Name: "VIDIOC_REQBUFS", Got: vidiocReqbufs, Want: [ioctltest.NArch]uint{0xc0145608, 0xc0145608, 0xc0145608, 0xc0145608, 0xc0145608}},
	{Name: "VIDIOC_QUERYBUF", Got: vidiocQuerybuf, Want: [ioctltest.NArch]uint{0xc0585609, 0xc0585609, 0xc0445609, 0xc0445609, 0xc0445609}},
	{Name: "VIDIOC_QBUF", Got: vidiocQbuf, Want: [ioctltest.NArch]uint{0xc058560f, 0xc058560f, 0xc044560f, 0xc044560f, 0xc044560f}},
	{Name: "VIDIOC_DQBUF", Got: vidiocDqbuf, Want: [ioctltest.NArch]uint{0xc0585611, 0xc0585611, 0xc0445611, 0xc0445611, 0xc0445611}},
	{Name: "VIDIOC_STREAMON", Got: vidiocStreamon, Want: [ioctltest.NArch]uint{0x40045612, 0x40045612, 0x40045612, 0x80045612, 0x40045612}},
	{Name: "VIDIOC_STREAMOFF", Got: vidiocStreamoff, Want: [ioctltest.NArch]uint{0x40045613, 0x40045613, 0x40045613, 0x80045613, 0x40045613}},
	{Name: "VIDIOC_G_PARM", Got: vidiocGParm, Want: [ioctltest.NArch]uint{0xc0cc5615, 0xc0cc5615, 0xc0cc5615, 0xc0cc5615, 0xc0cc5615}},
	{Name: "VIDIOC_S_PARM", Got: vidiocSParm, Want: [ioctltest.NArch]uint{0xc0cc5616, 0xc0cc5616, 0xc0cc5616, 0xc0cc5616, 0xc0cc5616}},
	{Name: "VIDIOC_QUERYCTRL", Got: vidiocQueryctrl, Want: [ioctltest.NArch]uint{0xc0445624, 0xc0445624, 0xc0445624, 0xc0445624, 0xc0445624}},
	{Name: "VIDIOC_G_CTRL", Got: vidiocGCtrl, Want: [ioctltest.NArch]uint{0xc008561b, 0xc008561b, 0xc008561b, 0xc008561b, 0xc008561b}},
	{Name: "VIDIOC_S_CTRL", Got: vidiocSCtrl, Want: [ioctltest.NArch]uint{0xc008561c, 0xc008561c, 0xc008561c, 0xc008561c, 0xc008561c}},
	{Name: "VIDIOC_G_EXT_CTRLS", Got: vidiocGExtCtrls, Want: [ioctltest.NArch]uint{0xc0205647, 0xc0205647, 0xc0185647, 0xc0185647, 0xc0185647}},
	{Name: "VIDIOC_S_EXT_CTRLS", Got: vidiocSExtCtrls, Want: [ioctltest.NArch]uint{0xc0205648, 0xc0205648, 0xc0185648, 0xc0185648, 0xc0185648}},
	{Name: "VIDIOC_QUERY_EXT_CTRL", Got: vidiocQueryExtCtrl, Want: [ioctltest.NArch]uint{0xc0e85667, 0xc0e85667, 0xc0e85667, 0xc0e85667, 0xc0e85667}},
	{Name: "VIDIOC_ENCODER_CMD", Got: vidiocEncoderCmd, Want: [ioctltest.NArch]uint{0xc028564d, 0xc028564d, 0xc028564d, 0xc028564d, 0xc028564d}},
	{Name: "VIDIOC_QUERYMENU", Got: vidiocQuerymenu, Want: [ioctltest.NArch]uint{0xc02c5625, 0xc02c5625, 0xc02c5625, 0xc02c5625, 0xc02c5625}},
}

func TestLayoutSizes(t *testing.T) {
	ioctltest.Check(t, pinnedSizes, "sizeof(struct %s) = %d on %s, kernel has %d")
}

func TestLayoutOffsets(t *testing.T) {
	ioctltest.Check(t, pinnedOffsets, "offsetof(%s) = %d on %s, kernel has %d")
}

func TestIoctlNumbers(t *testing.T) {
	ioctltest.Check(t, pinnedIoctls, "%s = 0x%08x on %s, kernel has 0x%08x")
	ioctltest.CheckNames(t, pinnedIoctls, ioctlNames)
}

// TestLayoutConsistent checks, on every GOARCH, what follows from the C
// rules alone: the union and pointer members are where pointer size and
// alignment put them, and every request encodes its struct's size.
func TestLayoutConsistent(t *testing.T) {
	align := ioctltest.Align
	ioctltest.CheckRules(t, []ioctltest.Rule{
		{Name: "format.fmt", Got: unsafe.Offsetof(format{}.Fmt), Want: align(4, ptrSize)},
		{Name: "sizeof format", Got: unsafe.Sizeof(format{}), Want: align(4, ptrSize) + 200},
		{Name: "buffer.timestamp", Got: unsafe.Offsetof(buffer{}.Timestamp), Want: align(20, ptrSize)},
		{Name: "buffer.m", Got: unsafe.Offsetof(buffer{}.M), Want: align(unsafe.Offsetof(buffer{}.Memory)+4, ptrSize)},
		{Name: "sizeof buffer", Got: unsafe.Sizeof(buffer{}), Want: align(unsafe.Offsetof(buffer{}.M)+ptrSize+12, ptrSize)},
		{Name: "plane.data_offset", Got: unsafe.Offsetof(plane{}.DataOffset), Want: 8 + ptrSize},
		{Name: "extControls.controls", Got: unsafe.Offsetof(extControls{}.Controls), Want: align(20, ptrSize)},
		{Name: "sizeof extControl", Got: unsafe.Sizeof(extControl{}), Want: 20},
		{Name: "sizeof querymenu", Got: unsafe.Sizeof(querymenu{}), Want: 44},
	})
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
