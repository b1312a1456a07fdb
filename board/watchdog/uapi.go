//go:build linux

package watchdog

import (
	"unsafe"

	"github.com/p2pcam/p2pcam/internal/ioc"
)

// watchdog_info (include/uapi/linux/watchdog.h).
type info struct {
	Options         uint32
	FirmwareVersion uint32
	Identity        [32]byte
}

// The requests the package issues (WATCHDOG_IOCTL_BASE is 'W'); the
// argument of the others is an int, which is 32 bits on every Linux port.
var (
	wdiocGetSupport = ioc.IOR('W', 0, unsafe.Sizeof(info{}))
	wdiocKeepalive  = ioc.IOR('W', 5, unsafe.Sizeof(int32(0)))
	wdiocSetTimeout = ioc.IOWR('W', 6, unsafe.Sizeof(int32(0)))
	wdiocGetTimeout = ioc.IOR('W', 7, unsafe.Sizeof(int32(0)))
)

// magicClose written before close stops the watchdog.
const magicClose = 'V'
