//go:build linux

package v4l2

import (
	"unsafe"

	"github.com/p2pcam/p2pcam/internal/ioc"
)

// iocV is the ioctl type of V4L2 requests.
const iocV = 'V'

// The ioctl requests the package issues. The sizes in them are those of
// the Go mirrors, which layout_test.go pins to the kernel's.
var (
	vidiocQuerycap           = ioc.IOR(iocV, 0, unsafe.Sizeof(capability{}))
	vidiocEnumFmt            = ioc.IOWR(iocV, 2, unsafe.Sizeof(fmtdesc{}))
	vidiocGFmt               = ioc.IOWR(iocV, 4, unsafe.Sizeof(format{}))
	vidiocSFmt               = ioc.IOWR(iocV, 5, unsafe.Sizeof(format{}))
	vidiocReqbufs            = ioc.IOWR(iocV, 8, unsafe.Sizeof(requestbuffers{}))
	vidiocQuerybuf           = ioc.IOWR(iocV, 9, unsafe.Sizeof(buffer{}))
	vidiocQbuf               = ioc.IOWR(iocV, 15, unsafe.Sizeof(buffer{}))
	vidiocDqbuf              = ioc.IOWR(iocV, 17, unsafe.Sizeof(buffer{}))
	vidiocStreamon           = ioc.IOW(iocV, 18, unsafe.Sizeof(int32(0)))
	vidiocStreamoff          = ioc.IOW(iocV, 19, unsafe.Sizeof(int32(0)))
	vidiocGParm              = ioc.IOWR(iocV, 21, unsafe.Sizeof(streamparm{}))
	vidiocSParm              = ioc.IOWR(iocV, 22, unsafe.Sizeof(streamparm{}))
	vidiocGCtrl              = ioc.IOWR(iocV, 27, unsafe.Sizeof(control{}))
	vidiocSCtrl              = ioc.IOWR(iocV, 28, unsafe.Sizeof(control{}))
	vidiocQueryctrl          = ioc.IOWR(iocV, 36, unsafe.Sizeof(queryctrl{}))
	vidiocQuerymenu          = ioc.IOWR(iocV, 37, unsafe.Sizeof(querymenu{}))
	vidiocTryFmt             = ioc.IOWR(iocV, 64, unsafe.Sizeof(format{}))
	vidiocGExtCtrls          = ioc.IOWR(iocV, 71, unsafe.Sizeof(extControls{}))
	vidiocSExtCtrls          = ioc.IOWR(iocV, 72, unsafe.Sizeof(extControls{}))
	vidiocEnumFramesizes     = ioc.IOWR(iocV, 74, unsafe.Sizeof(frmsizeenum{}))
	vidiocEnumFrameintervals = ioc.IOWR(iocV, 75, unsafe.Sizeof(frmivalenum{}))
	vidiocEncoderCmd         = ioc.IOWR(iocV, 77, unsafe.Sizeof(encoderCmd{}))
	vidiocQueryExtCtrl       = ioc.IOWR(iocV, 103, unsafe.Sizeof(queryExtCtrl{}))
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
