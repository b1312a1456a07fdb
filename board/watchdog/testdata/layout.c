/* layout.c prints the watchdog ioctl numbers (<linux/watchdog.h>) package
 * watchdog uses, for layout_test.go. gen.sh builds and runs it for each
 * architecture. */
#include <stdio.h>
#include <linux/watchdog.h>

#define R(name) printf("%-24s %#010lx\n", #name, (unsigned long)(name))

int main(void)
{
	printf("%-24s %zu\n", "sizeof watchdog_info", sizeof(struct watchdog_info));
	R(WDIOC_GETSUPPORT);
	R(WDIOC_KEEPALIVE);
	R(WDIOC_SETTIMEOUT);
	R(WDIOC_GETTIMEOUT);
	return 0;
}
