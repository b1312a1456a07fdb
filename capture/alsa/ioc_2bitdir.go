//go:build linux && !mips && !mipsle && !mips64 && !mips64le && !ppc64 && !ppc64le

package alsa

// The generic _IOC encoding of asm-generic/ioctl.h, used by x86, arm,
// arm64, riscv64, loong64 and s390x: 2 direction bits, 14 size bits.
const (
	iocSizeBits = 14
	iocNone     = 0
	iocWrite    = 1
	iocRead     = 2
)
