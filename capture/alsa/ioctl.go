//go:build linux

package alsa

import "unsafe"

// The _IOC layout: 8 bits of number, 8 bits of type, then the argument
// size and the direction, whose widths depend on the architecture
// (ioc_2bitdir.go, ioc_3bitdir.go).
const (
	iocTypeShift = 8
	iocSizeShift = 16
	iocDirShift  = iocSizeShift + iocSizeBits

	iocN  = iocNone << iocDirShift
	iocR  = iocRead << iocDirShift
	iocW  = iocWrite << iocDirShift
	iocWR = (iocRead | iocWrite) << iocDirShift

	typePCM = 'A' // the ioctl type of PCM devices
	typeCtl = 'U' // the ioctl type of control devices
)

// ioc builds a request number from its direction bits, ioctl type,
// argument size and number, as the kernel's _IOC macro does.
func ioc(dir uint, typ byte, size uintptr, nr uint) uint {
	return dir | uint(size)<<iocSizeShift | uint(typ)<<iocTypeShift | nr
}

// The ioctl requests the package knows. The sizes in them are those of
// the Go mirrors, which layout_test.go pins to the kernel's.
var (
	pcmIoctlPversion     = ioc(iocR, typePCM, unsafe.Sizeof(int32(0)), 0x00)
	pcmIoctlInfo         = ioc(iocR, typePCM, unsafe.Sizeof(pcmInfo{}), 0x01)
	pcmIoctlUserPversion = ioc(iocW, typePCM, unsafe.Sizeof(int32(0)), 0x04)
	pcmIoctlHwRefine     = ioc(iocWR, typePCM, unsafe.Sizeof(hwParams{}), 0x10)
	pcmIoctlHwParams     = ioc(iocWR, typePCM, unsafe.Sizeof(hwParams{}), 0x11)
	pcmIoctlHwFree       = ioc(iocN, typePCM, 0, 0x12)
	pcmIoctlSwParams     = ioc(iocWR, typePCM, unsafe.Sizeof(swParams{}), 0x13)
	pcmIoctlStatus       = ioc(iocR, typePCM, unsafe.Sizeof(pcmStatus{}), 0x20)
	pcmIoctlDelay        = ioc(iocR, typePCM, unsafe.Sizeof(cLong(0)), 0x21)
	pcmIoctlPrepare      = ioc(iocN, typePCM, 0, 0x40)
	pcmIoctlReset        = ioc(iocN, typePCM, 0, 0x41)
	pcmIoctlStart        = ioc(iocN, typePCM, 0, 0x42)
	pcmIoctlDrop         = ioc(iocN, typePCM, 0, 0x43)
	pcmIoctlDrain        = ioc(iocN, typePCM, 0, 0x44)
	pcmIoctlResume       = ioc(iocN, typePCM, 0, 0x47)
	pcmIoctlWriteiFrames = ioc(iocW, typePCM, unsafe.Sizeof(xferi{}), 0x50)
	pcmIoctlReadiFrames  = ioc(iocR, typePCM, unsafe.Sizeof(xferi{}), 0x51)

	ctlIoctlPversion      = ioc(iocR, typeCtl, unsafe.Sizeof(int32(0)), 0x00)
	ctlIoctlCardInfo      = ioc(iocR, typeCtl, unsafe.Sizeof(ctlCardInfo{}), 0x01)
	ctlIoctlPCMNextDevice = ioc(iocR, typeCtl, unsafe.Sizeof(int32(0)), 0x30)
	ctlIoctlPCMInfo       = ioc(iocWR, typeCtl, unsafe.Sizeof(pcmInfo{}), 0x31)
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
