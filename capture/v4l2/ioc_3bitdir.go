//go:build linux && (mips || mipsle || mips64 || mips64le || ppc64 || ppc64le)

package v4l2

// The _IOC encoding of MIPS and PowerPC: 3 direction bits, 13 size bits,
// and different direction values.
const (
	iocSizeBits = 13
	iocNone     = 1
	iocRead     = 2
	iocWrite    = 4
)
