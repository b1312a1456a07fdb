/* ioc.c prints request numbers from the kernel's <asm/ioctl.h> for
 * ioc_test.go; gen.sh builds and runs it for each architecture. */
#include <stdio.h>
#include <asm/ioctl.h>

#define P(name, v) printf("%-26s %#010x\n", name, (unsigned)(v))

int main(void)
{
	P("_IO('W',5)", _IO('W', 5));
	P("_IOR('V',0,104)", _IOR('V', 0, char[104]));
	P("_IOW('V',18,4)", _IOW('V', 18, char[4]));
	P("_IOWR(0xB4,7,592)", _IOWR(0xB4, 7, char[592]));
	P("_IOR(0xB4,1,68)", _IOR(0xB4, 1, char[68]));
	P("_IOWR('A',0x11,max)", _IOWR('A', 0x11, char[_IOC_SIZEMASK]));
	printf("%-26s %u\n", "_IOC_SIZEBITS", (unsigned)_IOC_SIZEBITS);
	return 0;
}
