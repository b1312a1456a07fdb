// Package ioc computes Linux ioctl request numbers as the kernel's _IO,
// _IOR, _IOW and _IOWR macros do (include/uapi/asm-generic/ioctl.h): the
// command number in bits 0-7, the type (the driver's "magic" letter) in
// bits 8-15, then the argument size and the direction. The widths and
// values of the last two depend on the architecture: most use 14 size
// bits and 2 direction bits (dir_2bit.go); MIPS and PowerPC use 13 and
// 3, with other direction values (dir_3bit.go).
//
// Packages that talk to device drivers build their request numbers here
// from unsafe.Sizeof of their struct mirrors and pin the results per
// GOARCH in a test against numbers compiled from the kernel headers.
package ioc

import "fmt"

// The bit layout shared by every architecture.
const (
	nrBits    = 8
	typeBits  = 8
	typeShift = nrBits
	sizeShift = typeShift + typeBits
	dirShift  = sizeShift + sizeBits

	// MaxSize is the largest argument size a request can encode.
	MaxSize = 1<<sizeBits - 1
)

// IO returns the number of a request that passes no argument: _IO(typ, nr).
func IO(typ, nr byte) uint { return encode(dirNone, typ, nr, 0) }

// IOR returns the number of a request through which the kernel writes an
// argument of size bytes for the caller to read: _IOR(typ, nr, type).
func IOR(typ, nr byte, size uintptr) uint { return encode(dirRead, typ, nr, size) }

// IOW returns the number of a request that passes the kernel an argument
// of size bytes: _IOW(typ, nr, type).
func IOW(typ, nr byte, size uintptr) uint { return encode(dirWrite, typ, nr, size) }

// IOWR returns the number of a request whose argument of size bytes goes
// both ways: _IOWR(typ, nr, type).
func IOWR(typ, nr byte, size uintptr) uint { return encode(dirRead|dirWrite, typ, nr, size) }

// Size returns the argument size encoded in req, so that a fake driver can
// check what it was handed.
func Size(req uint) uintptr { return uintptr(req>>sizeShift) & MaxSize }

// encode is the kernel's _IOC. A size that does not fit is a bug in the
// caller (the C macros fail to compile then), so it panics.
func encode(dir uint, typ, nr byte, size uintptr) uint {
	if size > MaxSize {
		panic(fmt.Sprintf("ioc: argument size %d of request %#x/%d exceeds %d bytes", size, typ, nr, MaxSize))
	}
	return dir<<dirShift | uint(size)<<sizeShift | uint(typ)<<typeShift | uint(nr)
}
