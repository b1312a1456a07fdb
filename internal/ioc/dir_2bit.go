//go:build !mips && !mipsle && !mips64 && !mips64le && !ppc64 && !ppc64le

package ioc

// The generic encoding (asm-generic/ioctl.h), used by x86, arm, arm64,
// riscv64, loong64 and s390x: 14 size bits, 2 direction bits.
const (
	sizeBits = 14
	dirBits  = 2
	dirNone  = 0
	dirWrite = 1
	dirRead  = 2
)
