//go:build linux

package v4l2

import "unsafe"

// Go mirrors of the linux/videodev2.h structs the package uses. Field
// order, types and sizes follow the kernel uAPI; layout_test.go pins
// their sizes and a few offsets per GOARCH.
//
// Three kinds of members make the layout depend on the architecture:
//
//   - pointers and unsigned long (v4l2_buffer.m, v4l2_plane.m,
//     v4l2_ext_controls.controls, and v4l2_window inside the v4l2_format
//     union) are 4 or 8 bytes and raise the alignment of their struct or
//     union to match; [clong] and uintptr follow the pointer size, and
//     format carries explicit padding of ptrSize-4 bytes.
//   - struct timeval in v4l2_buffer is two C longs. On 32-bit ports this
//     is the legacy 32-bit layout (68-byte v4l2_buffer), the one a C
//     program built with a 32-bit time_t uses. A 64-bit time_t build
//     (_TIME_BITS=64) uses an 80-byte (arm) or 76-byte (386) struct
//     instead, with different ioctl numbers; kernels since 5.6 accept
//     both (v4l2_buffer_time32 in v4l2-ioctl.c), and earlier kernels
//     know only the legacy one, so the legacy layout is the portable
//     choice. Driver timestamps are CLOCK_MONOTONIC, which does not
//     overflow 32 bits for 68 years of uptime.
//   - __s64 members, which Go aligns to 4 on 32-bit ports: the only ones
//     used here (v4l2_query_ext_ctrl) sit at 8-byte offsets anyway, and
//     the packed v4l2_ext_control keeps its value as bytes.

// ptrSize is the size of a C pointer and of a C long.
const ptrSize = unsafe.Sizeof(uintptr(0))

// clong is C's long: as wide as a pointer on every Linux port of Go.
type clong = int

// capability mirrors struct v4l2_capability.
type capability struct {
	Driver       [16]byte
	Card         [32]byte
	BusInfo      [32]byte
	Version      uint32
	Capabilities uint32
	DeviceCaps   uint32
	Reserved     [3]uint32
}

// fmtdesc mirrors struct v4l2_fmtdesc.
type fmtdesc struct {
	Index       uint32
	Type        uint32
	Flags       uint32
	Description [32]byte
	PixelFormat uint32
	MbusCode    uint32
	Reserved    [3]uint32
}

// pixFormat mirrors struct v4l2_pix_format.
type pixFormat struct {
	Width        uint32
	Height       uint32
	PixelFormat  uint32
	Field        uint32
	BytesPerLine uint32
	SizeImage    uint32
	Colorspace   uint32
	Priv         uint32
	Flags        uint32
	YcbcrEnc     uint32
	Quantization uint32
	XferFunc     uint32
}

// planePixFormat mirrors the packed struct v4l2_plane_pix_format; its
// members are naturally aligned, so packing changes nothing.
type planePixFormat struct {
	SizeImage    uint32
	BytesPerLine uint32
	Reserved     [6]uint16
}

// maxPlanes is VIDEO_MAX_PLANES.
const maxPlanes = 8

// pixFormatMplane mirrors struct v4l2_pix_format_mplane.
type pixFormatMplane struct {
	Width        uint32
	Height       uint32
	PixelFormat  uint32
	Field        uint32
	Colorspace   uint32
	PlaneFmt     [maxPlanes]planePixFormat
	NumPlanes    uint8
	Flags        uint8
	YcbcrEnc     uint8
	Quantization uint8
	XferFunc     uint8
	Reserved     [7]uint8
}

// format mirrors struct v4l2_format. The kernel's union is 200 bytes
// and, through struct v4l2_window, holds pointers: it starts at offset
// 8 on 64-bit ports and 4 on 32-bit ones.
type format struct {
	Type uint32
	_    [ptrSize - 4]byte
	Fmt  [200]byte
}

// pix returns the single-planar view of the union.
func (f *format) pix() *pixFormat { return (*pixFormat)(unsafe.Pointer(&f.Fmt[0])) }

// pixMP returns the multi-planar view of the union.
func (f *format) pixMP() *pixFormatMplane { return (*pixFormatMplane)(unsafe.Pointer(&f.Fmt[0])) }

// frmsizeenum mirrors struct v4l2_frmsizeenum; Union holds either
// v4l2_frmsize_discrete (2 words) or v4l2_frmsize_stepwise (6 words).
type frmsizeenum struct {
	Index       uint32
	PixelFormat uint32
	Type        uint32
	Union       [6]uint32
	Reserved    [2]uint32
}

// frmivalenum mirrors struct v4l2_frmivalenum; Union holds either one
// v4l2_fract or v4l2_frmival_stepwise (min, max, step).
type frmivalenum struct {
	Index       uint32
	PixelFormat uint32
	Width       uint32
	Height      uint32
	Type        uint32
	Union       [6]uint32
	Reserved    [2]uint32
}

// requestbuffers mirrors struct v4l2_requestbuffers.
type requestbuffers struct {
	Count        uint32
	Type         uint32
	Memory       uint32
	Capabilities uint32
	Flags        uint8
	Reserved     [3]uint8
}

// timeval mirrors the C library's struct timeval with a C-long time_t.
type timeval struct {
	Sec  clong
	Usec clong
}

// timecode mirrors struct v4l2_timecode.
type timecode struct {
	Type     uint32
	Flags    uint32
	Frames   uint8
	Seconds  uint8
	Minutes  uint8
	Hours    uint8
	Userbits [4]uint8
}

// plane mirrors struct v4l2_plane. M is the union of mem_offset (a
// __u32 in its first four bytes), userptr and fd.
type plane struct {
	BytesUsed  uint32
	Length     uint32
	M          uintptr
	DataOffset uint32
	Reserved   [11]uint32
}

// buffer mirrors struct v4l2_buffer. M is the union of offset (a __u32
// in its first four bytes), userptr, planes and fd. It is a uintptr
// rather than a pointer because, for MMAP buffers, the kernel writes an
// offset into it; a planes array stored there must be kept alive by the
// caller (it always lives in a heap-allocated queue).
type buffer struct {
	Index     uint32
	Type      uint32
	BytesUsed uint32
	Flags     uint32
	Field     uint32
	Timestamp timeval
	Timecode  timecode
	Sequence  uint32
	Memory    uint32
	M         uintptr
	Length    uint32
	Reserved2 uint32
	RequestFD int32
}

// offset returns the union's __u32 offset member, wherever the byte
// order puts it inside the uintptr.
func (b *buffer) offset() uint32 { return *(*uint32)(unsafe.Pointer(&b.M)) }

// offset returns the union's __u32 mem_offset member.
func (p *plane) offset() uint32 { return *(*uint32)(unsafe.Pointer(&p.M)) }

// fract mirrors struct v4l2_fract.
type fract struct {
	Numerator   uint32
	Denominator uint32
}

// captureparm mirrors struct v4l2_captureparm; struct v4l2_outputparm
// has the same layout (outputmode and writebuffers in place of
// capturemode and readbuffers).
type captureparm struct {
	Capability   uint32
	CaptureMode  uint32
	TimePerFrame fract
	ExtendedMode uint32
	ReadBuffers  uint32
	Reserved     [4]uint32
}

// streamparm mirrors struct v4l2_streamparm; its union holds no
// pointers, so it starts at offset 4 everywhere.
type streamparm struct {
	Type uint32
	Parm [200]byte
}

// capture returns the captureparm (or outputparm) view of the union.
func (s *streamparm) capture() *captureparm { return (*captureparm)(unsafe.Pointer(&s.Parm[0])) }

// queryctrl mirrors struct v4l2_queryctrl.
type queryctrl struct {
	ID           uint32
	Type         uint32
	Name         [32]byte
	Minimum      int32
	Maximum      int32
	Step         int32
	DefaultValue int32
	Flags        uint32
	Reserved     [2]uint32
}

// maxCtrlDims is V4L2_CTRL_MAX_DIMS.
const maxCtrlDims = 4

// queryExtCtrl mirrors struct v4l2_query_ext_ctrl.
type queryExtCtrl struct {
	ID           uint32
	Type         uint32
	Name         [32]byte
	Minimum      int64
	Maximum      int64
	Step         uint64
	DefaultValue int64
	Flags        uint32
	ElemSize     uint32
	Elems        uint32
	NrOfDims     uint32
	Dims         [maxCtrlDims]uint32
	Reserved     [32]uint32
}

// querymenu mirrors the packed struct v4l2_querymenu: Name is the union
// of the item's name and, for integer menus, its __s64 value.
type querymenu struct {
	ID       uint32
	Index    uint32
	Name     [32]byte
	Reserved uint32
}

// control mirrors struct v4l2_control.
type control struct {
	ID    uint32
	Value int32
}

// extControl mirrors the packed struct v4l2_ext_control (20 bytes on
// every port). Value is the union of value, value64 and the pointers,
// kept as native-endian bytes since it sits at offset 12.
type extControl struct {
	ID        uint32
	Size      uint32
	Reserved2 uint32
	Value     [8]byte
}

// extControls mirrors struct v4l2_ext_controls.
type extControls struct {
	Which     uint32
	Count     uint32
	ErrorIdx  uint32
	RequestFD int32
	Reserved  [1]uint32
	Controls  *extControl
}

// encoderCmd mirrors struct v4l2_encoder_cmd.
type encoderCmd struct {
	Cmd   uint32
	Flags uint32
	Data  [8]uint32
}
