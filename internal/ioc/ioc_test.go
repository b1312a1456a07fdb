package ioc

import (
	"testing"

	"github.com/p2pcam/p2pcam/internal/ioctltest"
)

// The columns of the table are ioctltest.Archs; the values come from
// testdata/ioc.c, compiled against the kernel's <asm/ioctl.h> with gcc
// and Debian's cross compilers and run under qemu-user (testdata/gen.sh;
// its output is testdata/ioc.txt). MIPS differs: 3 direction bits, "no
// argument" is 1, read is 2 and write is 4, and 13 size bits.
var pinned = []ioctltest.Pin[uint]{
	{Name: "_IO('W',5)", Got: IO('W', 5),
		Want: [ioctltest.NArch]uint{0x00005705, 0x00005705, 0x00005705, 0x20005705, 0x00005705}},
	{Name: "_IOR('V',0,104)", Got: IOR('V', 0, 104),
		Want: [ioctltest.NArch]uint{0x80685600, 0x80685600, 0x80685600, 0x40685600, 0x80685600}},
	{Name: "_IOW('V',18,4)", Got: IOW('V', 18, 4),
		Want: [ioctltest.NArch]uint{0x40045612, 0x40045612, 0x40045612, 0x80045612, 0x40045612}},
	{Name: "_IOWR(0xB4,7,592)", Got: IOWR(0xB4, 7, 592),
		Want: [ioctltest.NArch]uint{0xc250b407, 0xc250b407, 0xc250b407, 0xc250b407, 0xc250b407}},
	{Name: "_IOR(0xB4,1,68)", Got: IOR(0xB4, 1, 68),
		Want: [ioctltest.NArch]uint{0x8044b401, 0x8044b401, 0x8044b401, 0x4044b401, 0x8044b401}},
	{Name: "_IOWR('A',0x11,max)", Got: IOWR('A', 0x11, MaxSize),
		Want: [ioctltest.NArch]uint{0xffff4111, 0xffff4111, 0xffff4111, 0xdfff4111, 0xffff4111}},
}

func TestPinned(t *testing.T) {
	ioctltest.Check(t, pinned, "%s = %#010x on %s, want %#010x")
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
