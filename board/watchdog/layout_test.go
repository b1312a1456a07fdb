//go:build linux

package watchdog

import (
	"runtime"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Pinned per GOARCH to linux/watchdog.h as the C compiler sees it:
// testdata/layout.c, built by testdata/gen.sh with gcc and Debian's cross
// compilers and run under qemu-user (output: testdata/layout.txt). MIPS
// encodes _IOR with direction 2 in 3 bits, hence 0x40...; _IOWR comes out
// the same everywhere.
var pinnedArchs = [...]string{"amd64", "arm64", "arm", "mipsle", "386"}

const nArch = len(pinnedArchs)

var pinned = []struct {
	name string
	got  uint
	sys  uint // x/sys/unix's constant, a second source
	want [nArch]uint
}{
	{"WDIOC_GETSUPPORT", wdiocGetSupport, unix.WDIOC_GETSUPPORT, [nArch]uint{0x80285700, 0x80285700, 0x80285700, 0x40285700, 0x80285700}},
	{"WDIOC_KEEPALIVE", wdiocKeepalive, unix.WDIOC_KEEPALIVE, [nArch]uint{0x80045705, 0x80045705, 0x80045705, 0x40045705, 0x80045705}},
	{"WDIOC_SETTIMEOUT", wdiocSetTimeout, unix.WDIOC_SETTIMEOUT, [nArch]uint{0xc0045706, 0xc0045706, 0xc0045706, 0xc0045706, 0xc0045706}},
	{"WDIOC_GETTIMEOUT", wdiocGetTimeout, unix.WDIOC_GETTIMEOUT, [nArch]uint{0x80045707, 0x80045707, 0x80045707, 0x40045707, 0x80045707}},
}

var _ = [1]struct{}{}[unsafe.Sizeof(info{})-40] // checked at compile time on every GOARCH

func TestLayoutPinned(t *testing.T) {
	for _, p := range pinned {
		if p.got != p.sys {
			t.Errorf("%s = %#010x, x/sys/unix says %#010x", p.name, p.got, p.sys)
		}
	}
	for i, a := range pinnedArchs {
		if a != runtime.GOARCH {
			continue
		}
		for _, p := range pinned {
			if p.got != p.want[i] {
				t.Errorf("%s = %#010x on %s, want %#010x", p.name, p.got, a, p.want[i])
			}
		}
		return
	}
	t.Skipf("no pinned numbers for GOARCH=%s", runtime.GOARCH)
}
