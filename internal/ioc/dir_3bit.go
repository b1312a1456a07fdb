//go:build mips || mipsle || mips64 || mips64le || ppc64 || ppc64le

package ioc

// The encoding of MIPS (arch/mips/include/uapi/asm/ioctl.h) and PowerPC:
// 13 size bits, 3 direction bits, and a distinct value for "no argument".
const (
	sizeBits = 13
	dirBits  = 3
	dirNone  = 1
	dirRead  = 2
	dirWrite = 4
)
