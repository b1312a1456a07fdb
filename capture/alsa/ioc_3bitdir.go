//go:build linux && (mips || mipsle || mips64 || mips64le || ppc64 || ppc64le)

package alsa

// The _IOC encoding of MIPS and PowerPC: 3 direction bits, 13 size bits,
// and other direction values; _IO (no argument) sets a bit of its own.
const (
	iocSizeBits = 13
	iocNone     = 1
	iocRead     = 2
	iocWrite    = 4
)
