package ioc

import (
	"runtime"
	"testing"
)

// pinnedArchs are the columns of the table: the values come from
// testdata/ioc.c, compiled against the kernel's <asm/ioctl.h> with gcc
// and Debian's cross compilers and run under qemu-user (testdata/gen.sh;
// its output is testdata/ioc.txt). MIPS differs: 3 direction bits, "no
// argument" is 1, read is 2 and write is 4, and 13 size bits.
var pinnedArchs = [...]string{"amd64", "arm64", "arm", "mipsle", "386"}

const nArch = len(pinnedArchs)

var pinned = []struct {
	name string
	got  func() uint
	want [nArch]uint
}{
	{"_IO('W',5)", func() uint { return IO('W', 5) },
		[nArch]uint{0x00005705, 0x00005705, 0x00005705, 0x20005705, 0x00005705}},
	{"_IOR('V',0,104)", func() uint { return IOR('V', 0, 104) },
		[nArch]uint{0x80685600, 0x80685600, 0x80685600, 0x40685600, 0x80685600}},
	{"_IOW('V',18,4)", func() uint { return IOW('V', 18, 4) },
		[nArch]uint{0x40045612, 0x40045612, 0x40045612, 0x80045612, 0x40045612}},
	{"_IOWR(0xB4,7,592)", func() uint { return IOWR(0xB4, 7, 592) },
		[nArch]uint{0xc250b407, 0xc250b407, 0xc250b407, 0xc250b407, 0xc250b407}},
	{"_IOR(0xB4,1,68)", func() uint { return IOR(0xB4, 1, 68) },
		[nArch]uint{0x8044b401, 0x8044b401, 0x8044b401, 0x4044b401, 0x8044b401}},
	{"_IOWR('A',0x11,max)", func() uint { return IOWR('A', 0x11, MaxSize) },
		[nArch]uint{0xffff4111, 0xffff4111, 0xffff4111, 0xdfff4111, 0xffff4111}},
}

func archColumn(t *testing.T) int {
	t.Helper()
	for i, a := range pinnedArchs {
		if a == runtime.GOARCH {
			return i
		}
	}
	t.Skipf("no pinned numbers for GOARCH=%s", runtime.GOARCH)
	return -1
}

func TestPinned(t *testing.T) {
	col := archColumn(t)
	for _, p := range pinned {
		if got := p.got(); got != p.want[col] {
			t.Errorf("%s = %#010x on %s, want %#010x", p.name, got, runtime.GOARCH, p.want[col])
		}
	}
}

func TestSize(t *testing.T) {
	for _, size := range []uintptr{0, 4, 68, 592, MaxSize} {
		for _, req := range []uint{IOR('x', 1, size), IOW('x', 1, size), IOWR('x', 1, size)} {
			if got := Size(req); got != size {
				t.Errorf("Size(%#x) = %d, want %d", req, got, size)
			}
		}
	}
	if got := Size(IO('x', 1)); got != 0 {
		t.Errorf("Size(IO) = %d, want 0", got)
	}
}

func TestTooLargePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("IOWR with a size over MaxSize did not panic")
		}
	}()
	IOWR('x', 1, MaxSize+1)
}
