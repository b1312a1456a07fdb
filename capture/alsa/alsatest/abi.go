//go:build linux

package alsatest

import (
	"encoding/binary"
	"unsafe"
)

// The fake reads and writes ioctl arguments as bytes, at offsets it
// derives here from the C rules and the pointer size, independently of
// the Go mirrors in package alsa: a mirror with a wrong layout then
// fails the tests instead of agreeing with itself.

var ptr = int(unsafe.Sizeof(uintptr(0)))

func alignUp(n, a int) int { return (n + a - 1) &^ (a - 1) }

// struct snd_pcm_hw_params.
const (
	hwMasks     = 4
	hwIntervals = 260
	hwRmask     = 512
	hwCmask     = 516
	hwInfo      = 520
	hwMsbits    = 524
	hwRateNum   = 528
	hwRateDen   = 532
	hwFifoSize  = 536
)

var sizeHwParams = alignUp(hwFifoSize, ptr) + ptr + 64

// struct snd_pcm_sw_params: seven unsigned longs after three ints.
var (
	swAvailMin       = alignUp(12, ptr)
	swStartThreshold = swAvailMin + 2*ptr
	swStopThreshold  = swAvailMin + 3*ptr
	swSilenceThresh  = swAvailMin + 4*ptr
	swSilenceSize    = swAvailMin + 5*ptr
	swBoundary       = swAvailMin + 6*ptr
	swProto          = swAvailMin + 7*ptr
	sizeSwParams     = swProto + 8 + 56
)

// struct snd_pcm_status with the legacy timespec of two longs: the
// state, padding to a long, two timespecs, six longs.
var (
	stState          = 0
	stTriggerTstamp  = ptr
	stApplPtr        = 5 * ptr
	stHwPtr          = 6 * ptr
	stDelay          = 7 * ptr
	stAvail          = 8 * ptr
	stAvailMax       = 9 * ptr
	stSuspendedState = 11 * ptr
	sizeStatus       = 11*ptr + 64
)

// struct snd_xferi: result, buf, frames.
var (
	xferBuf    = ptr
	xferFrames = 2 * ptr
	sizeXferi  = 3 * ptr
)

// struct snd_pcm_info.
const (
	infoDevice          = 0
	infoSubdevice       = 4
	infoStream          = 8
	infoCard            = 12
	infoID              = 16
	infoName            = 80
	infoSubname         = 160
	infoSubdevicesCount = 200
	infoSubdevicesAvail = 204
	sizePCMInfo         = 288
)

// struct snd_ctl_card_info.
const (
	cardCard       = 0
	cardID         = 8
	cardDriver     = 24
	cardName       = 40
	cardLongname   = 72
	cardMixername  = 168
	cardComponents = 248
	sizeCardInfo   = 376
)

// mem is an ioctl argument.
type mem []byte

func (m mem) u32(off int) uint32      { return binary.NativeEndian.Uint32(m[off:]) }
func (m mem) put32(off int, v uint32) { binary.NativeEndian.PutUint32(m[off:], v) }
func (m mem) i32(off int) int32       { return int32(m.u32(off)) }
func (m mem) putStr(off, n int, s string) {
	clear(m[off : off+n])
	copy(m[off:off+n-1], s)
}

// long reads a C long.
func (m mem) long(off int) int64 {
	if ptr == 8 {
		return int64(binary.NativeEndian.Uint64(m[off:]))
	}
	return int64(int32(m.u32(off)))
}

// ulong reads a C unsigned long.
func (m mem) ulong(off int) uint64 {
	if ptr == 8 {
		return binary.NativeEndian.Uint64(m[off:])
	}
	return uint64(m.u32(off))
}

// putLong writes a C long or unsigned long.
func (m mem) putLong(off int, v int64) {
	if ptr == 8 {
		binary.NativeEndian.PutUint64(m[off:], uint64(v))
	} else {
		m.put32(off, uint32(v))
	}
}

// pointer reads the pointer at offset off.
func (m mem) pointer(off int) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Pointer(&m[off]))
}

// bigEndian is the byte order of the running machine, which decides
// where C puts the bit-fields of struct snd_interval.
var bigEndian = binary.NativeEndian.Uint16([]byte{0, 1}) == 1

// The bit-fields openmin, openmax, integer and empty.
var bitOpenMin, bitOpenMax, bitInteger, bitEmpty = func() (uint32, uint32, uint32, uint32) {
	if bigEndian {
		return 1 << 31, 1 << 30, 1 << 29, 1 << 28
	}
	return 1, 2, 4, 8
}()
