//go:build linux

package watchdog

import (
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/p2pcam/p2pcam/internal/ioctltest"
)

// Pinned per GOARCH to linux/watchdog.h as the C compiler sees it:
// testdata/layout.c, built by testdata/gen.sh with gcc and Debian's cross
// compilers and run under qemu-user (output: testdata/layout.txt). MIPS
// encodes _IOR with direction 2 in 3 bits, hence 0x40...; _IOWR comes out
// the same everywhere.
var pinned = []ioctltest.Pin[uint]{
	{Name: "WDIOC_GETSUPPORT", Got: wdiocGetSupport, Want: [ioctltest.NArch]uint{0x80285700, 0x80285700, 0x80285700, 0x40285700, 0x80285700}},
	{Name: "WDIOC_KEEPALIVE", Got: wdiocKeepalive, Want: [ioctltest.NArch]uint{0x80045705, 0x80045705, 0x80045705, 0x40045705, 0x80045705}},
	{Name: "WDIOC_SETTIMEOUT", Got: wdiocSetTimeout, Want: [ioctltest.NArch]uint{0xc0045706, 0xc0045706, 0xc0045706, 0xc0045706, 0xc0045706}},
	{Name: "WDIOC_GETTIMEOUT", Got: wdiocGetTimeout, Want: [ioctltest.NArch]uint{0x80045707, 0x80045707, 0x80045707, 0x40045707, 0x80045707}},
}

// unixNumbers are x/sys/unix's constants, a second source.
var unixNumbers = map[string]uint{
	"WDIOC_GETSUPPORT": unix.WDIOC_GETSUPPORT,
	"WDIOC_KEEPALIVE":  unix.WDIOC_KEEPALIVE,
	"WDIOC_SETTIMEOUT": unix.WDIOC_SETTIMEOUT,
	"WDIOC_GETTIMEOUT": unix.WDIOC_GETTIMEOUT,
}

var _ = [1]struct{}{}[unsafe.Sizeof(info{})-40] // checked at compile time on every GOARCH

func TestLayoutPinned(t *testing.T) {
	for _, p := range pinned {
		if p.Got != unixNumbers[p.Name] {
			t.Errorf("%s = %#010x, x/sys/unix says %#010x", p.Name, p.Got, unixNumbers[p.Name])
		}
	}
	ioctltest.Check(t, pinned, "%s = %#010x on %s, want %#010x")
}
