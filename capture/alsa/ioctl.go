//go:build linux

package alsa

import (
	"unsafe"

	"github.com/p2pcam/p2pcam/internal/ioc"
)

// The ioctl types of ALSA devices.
const (
	typePCM = 'A' // PCM devices
	typeCtl = 'U' // control devices
)

// The ioctl requests the package knows. The sizes in them are those of
// the Go mirrors, which layout_test.go pins to the kernel's.
var (
	pcmIoctlPversion     = ioc.IOR(typePCM, 0x00, unsafe.Sizeof(int32(0)))
	pcmIoctlInfo         = ioc.IOR(typePCM, 0x01, unsafe.Sizeof(pcmInfo{}))
	pcmIoctlUserPversion = ioc.IOW(typePCM, 0x04, unsafe.Sizeof(int32(0)))
	pcmIoctlHwRefine     = ioc.IOWR(typePCM, 0x10, unsafe.Sizeof(hwParams{}))
	pcmIoctlHwParams     = ioc.IOWR(typePCM, 0x11, unsafe.Sizeof(hwParams{}))
	pcmIoctlHwFree       = ioc.IO(typePCM, 0x12)
	pcmIoctlSwParams     = ioc.IOWR(typePCM, 0x13, unsafe.Sizeof(swParams{}))
	pcmIoctlStatus       = ioc.IOR(typePCM, 0x20, unsafe.Sizeof(pcmStatus{}))
	pcmIoctlDelay        = ioc.IOR(typePCM, 0x21, unsafe.Sizeof(cLong(0)))
	pcmIoctlPrepare      = ioc.IO(typePCM, 0x40)
	pcmIoctlReset        = ioc.IO(typePCM, 0x41)
	pcmIoctlStart        = ioc.IO(typePCM, 0x42)
	pcmIoctlDrop         = ioc.IO(typePCM, 0x43)
	pcmIoctlDrain        = ioc.IO(typePCM, 0x44)
	pcmIoctlResume       = ioc.IO(typePCM, 0x47)
	pcmIoctlWriteiFrames = ioc.IOW(typePCM, 0x50, unsafe.Sizeof(xferi{}))
	pcmIoctlReadiFrames  = ioc.IOR(typePCM, 0x51, unsafe.Sizeof(xferi{}))

	ctlIoctlPversion      = ioc.IOR(typeCtl, 0x00, unsafe.Sizeof(int32(0)))
	ctlIoctlCardInfo      = ioc.IOR(typeCtl, 0x01, unsafe.Sizeof(ctlCardInfo{}))
	ctlIoctlPCMNextDevice = ioc.IOR(typeCtl, 0x30, unsafe.Sizeof(int32(0)))
	ctlIoctlPCMInfo       = ioc.IOWR(typeCtl, 0x31, unsafe.Sizeof(pcmInfo{}))
)

// ioctlNames names the requests in error messages.
var ioctlNames = map[uint]string{
	pcmIoctlPversion:      "SNDRV_PCM_IOCTL_PVERSION",
	pcmIoctlInfo:          "SNDRV_PCM_IOCTL_INFO",
	pcmIoctlUserPversion:  "SNDRV_PCM_IOCTL_USER_PVERSION",
	pcmIoctlHwRefine:      "SNDRV_PCM_IOCTL_HW_REFINE",
	pcmIoctlHwParams:      "SNDRV_PCM_IOCTL_HW_PARAMS",
	pcmIoctlHwFree:        "SNDRV_PCM_IOCTL_HW_FREE",
	pcmIoctlSwParams:      "SNDRV_PCM_IOCTL_SW_PARAMS",
	pcmIoctlStatus:        "SNDRV_PCM_IOCTL_STATUS",
	pcmIoctlDelay:         "SNDRV_PCM_IOCTL_DELAY",
	pcmIoctlPrepare:       "SNDRV_PCM_IOCTL_PREPARE",
	pcmIoctlReset:         "SNDRV_PCM_IOCTL_RESET",
	pcmIoctlStart:         "SNDRV_PCM_IOCTL_START",
	pcmIoctlDrop:          "SNDRV_PCM_IOCTL_DROP",
	pcmIoctlDrain:         "SNDRV_PCM_IOCTL_DRAIN",
	pcmIoctlResume:        "SNDRV_PCM_IOCTL_RESUME",
	pcmIoctlWriteiFrames:  "SNDRV_PCM_IOCTL_WRITEI_FRAMES",
	pcmIoctlReadiFrames:   "SNDRV_PCM_IOCTL_READI_FRAMES",
	ctlIoctlPversion:      "SNDRV_CTL_IOCTL_PVERSION",
	ctlIoctlCardInfo:      "SNDRV_CTL_IOCTL_CARD_INFO",
	ctlIoctlPCMNextDevice: "SNDRV_CTL_IOCTL_PCM_NEXT_DEVICE",
	ctlIoctlPCMInfo:       "SNDRV_CTL_IOCTL_PCM_INFO",
}
