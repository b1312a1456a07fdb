//go:build linux

package v4l2

import "unsafe"

// The _IOC layout: 8 bits of number, 8 bits of type, then the argument
// size and the direction, whose widths depend on the architecture
// (ioc_2bitdir.go, ioc_3bitdir.go).
const (
	iocTypeShift = 8
	iocSizeShift = 16
	iocDirShift  = iocSizeShift + iocSizeBits

	iocV = 'V' << iocTypeShift // the V4L2 ioctl type

	iocR  = iocRead << iocDirShift
	iocW  = iocWrite << iocDirShift
	iocWR = (iocRead | iocWrite) << iocDirShift
)

// ioc builds a V4L2 request number from its direction bits, argument
// size and number, as the kernel's _IOC macro does.
func ioc(dir, size uintptr, nr uint) uint {
	return uint(dir) | uint(size)<<iocSizeShift | iocV | nr
}

// The ioctl requests the package issues. The sizes in them are those of
// the Go mirrors, which layout_test.go pins to the kernel's.
var (
	vidiocQuerycap           = ioc(iocR, unsafe.Sizeof(capability{}), 0)
	vidiocEnumFmt            = ioc(iocWR, unsafe.Sizeof(fmtdesc{}), 2)
	vidiocGFmt               = ioc(iocWR, unsafe.Sizeof(format{}), 4)
	vidiocSFmt               = ioc(iocWR, unsafe.Sizeof(format{}), 5)
	vidiocReqbufs            = ioc(iocWR, unsafe.Sizeof(requestbuffers{}), 8)
	vidiocQuerybuf           = ioc(iocWR, unsafe.Sizeof(buffer{}), 9)
	vidiocQbuf               = ioc(iocWR, unsafe.Sizeof(buffer{}), 15)
	vidiocDqbuf              = ioc(iocWR, unsafe.Sizeof(buffer{}), 17)
	vidiocStreamon           = ioc(iocW, unsafe.Sizeof(int32(0)), 18)
	vidiocStreamoff          = ioc(iocW, unsafe.Sizeof(int32(0)), 19)
	vidiocGParm              = ioc(iocWR, unsafe.Sizeof(streamparm{}), 21)
	vidiocSParm              = ioc(iocWR, unsafe.Sizeof(streamparm{}), 22)
	vidiocGCtrl              = ioc(iocWR, unsafe.Sizeof(control{}), 27)
	vidiocSCtrl              = ioc(iocWR, unsafe.Sizeof(control{}), 28)
	vidiocQueryctrl          = ioc(iocWR, unsafe.Sizeof(queryctrl{}), 36)
	vidiocQuerymenu          = ioc(iocWR, unsafe.Sizeof(querymenu{}), 37)
	vidiocTryFmt             = ioc(iocWR, unsafe.Sizeof(format{}), 64)
	vidiocGExtCtrls          = ioc(iocWR, unsafe.Sizeof(extControls{}), 71)
	vidiocSExtCtrls          = ioc(iocWR, unsafe.Sizeof(extControls{}), 72)
	vidiocEnumFramesizes     = ioc(iocWR, unsafe.Sizeof(frmsizeenum{}), 74)
	vidiocEnumFrameintervals = ioc(iocWR, unsafe.Sizeof(frmivalenum{}), 75)
	vidiocEncoderCmd         = ioc(iocWR, unsafe.Sizeof(encoderCmd{}), 77)
	vidiocQueryExtCtrl       = ioc(iocWR, unsafe.Sizeof(queryExtCtrl{}), 103)
)

// ioctlNames names the requests in error messages.
var ioctlNames = map[uint]string{
	vidiocQuerycap:           "VIDIOC_QUERYCAP",
	vidiocEnumFmt:            "VIDIOC_ENUM_FMT",
	vidiocGFmt:               "VIDIOC_G_FMT",
	vidiocSFmt:               "VIDIOC_S_FMT",
	vidiocReqbufs:            "VIDIOC_REQBUFS",
	vidiocQuerybuf:           "VIDIOC_QUERYBUF",
	vidiocQbuf:               "VIDIOC_QBUF",
	vidiocDqbuf:              "VIDIOC_DQBUF",
	vidiocStreamon:           "VIDIOC_STREAMON",
	vidiocStreamoff:          "VIDIOC_STREAMOFF",
	vidiocGParm:              "VIDIOC_G_PARM",
	vidiocSParm:              "VIDIOC_S_PARM",
	vidiocGCtrl:              "VIDIOC_G_CTRL",
	vidiocSCtrl:              "VIDIOC_S_CTRL",
	vidiocQueryctrl:          "VIDIOC_QUERYCTRL",
	vidiocQuerymenu:          "VIDIOC_QUERYMENU",
	vidiocTryFmt:             "VIDIOC_TRY_FMT",
	vidiocGExtCtrls:          "VIDIOC_G_EXT_CTRLS",
	vidiocSExtCtrls:          "VIDIOC_S_EXT_CTRLS",
	vidiocEnumFramesizes:     "VIDIOC_ENUM_FRAMESIZES",
	vidiocEnumFrameintervals: "VIDIOC_ENUM_FRAMEINTERVALS",
	vidiocEncoderCmd:         "VIDIOC_ENCODER_CMD",
	vidiocQueryExtCtrl:       "VIDIOC_QUERY_EXT_CTRL",
}
