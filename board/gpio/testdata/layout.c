/* layout.c prints the sizes and offsets of the GPIO character device uAPI
 * structs (<linux/gpio.h>, v2) and the ioctl numbers package gpio uses,
 * for layout_test.go. gen.sh builds and runs it for each architecture. */
#include <stddef.h>
#include <stdio.h>
#include <linux/gpio.h>

#define S(t) printf("%-40s %zu\n", "sizeof " #t, sizeof(struct t))
#define O(t, f) printf("%-40s %zu\n", "offsetof " #t "." #f, offsetof(struct t, f))
#define R(name) printf("%-40s %#010lx\n", #name, (unsigned long)(name))

int main(void)
{
	S(gpiochip_info);
	S(gpio_v2_line_values);
	S(gpio_v2_line_attribute);
	S(gpio_v2_line_config_attribute);
	S(gpio_v2_line_config);
	S(gpio_v2_line_request);
	S(gpio_v2_line_event);
	O(gpiochip_info, lines);
	O(gpio_v2_line_attribute, values);
	O(gpio_v2_line_config_attribute, mask);
	O(gpio_v2_line_config, num_attrs);
	O(gpio_v2_line_config, attrs);
	O(gpio_v2_line_request, consumer);
	O(gpio_v2_line_request, config);
	O(gpio_v2_line_request, num_lines);
	O(gpio_v2_line_request, fd);
	O(gpio_v2_line_event, id);
	O(gpio_v2_line_event, line_seqno);
	R(GPIO_GET_CHIPINFO_IOCTL);
	R(GPIO_V2_GET_LINE_IOCTL);
	R(GPIO_V2_LINE_SET_CONFIG_IOCTL);
	R(GPIO_V2_LINE_GET_VALUES_IOCTL);
	R(GPIO_V2_LINE_SET_VALUES_IOCTL);
	return 0;
}
