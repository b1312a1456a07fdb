// Package gpio drives single GPIO lines through the Linux GPIO character
// device (/dev/gpiochipN) and its v2 uAPI (linux/gpio.h, Linux 5.10 and
// later): the status LED, the IR-cut filter and the light sensor of a
// camera board. It needs no cgo, no libgpiod and no sysfs GPIO.
//
// [OpenLine] requests one line of a chip, named by path ("/dev/gpiochip0"),
// by device name ("gpiochip0") or by label ("pinctrl-bcm2711", which
// survives chip renumbering), as an input or an output, optionally active
// low: [Line.Set] and [Line.Get] then speak logical values, and the kernel
// inverts them on the wire. The line stays requested, and an output keeps
// its level, until [Line.Close].
//
// [OpenInput] requests an input with edge detection (a doorbell button, a
// PIR sensor): the kernel queues each edge with a timestamp, and
// [Input.Run] debounces them (a change counts once the line has held its
// new level for the debounce) and reports each change.
//
// Every system call goes through the [Sys] interface; package gpiotest has
// a fake kernel with fake chips for tests. The struct mirrors and ioctl
// numbers (built with package internal/ioc) are pinned per GOARCH in
// layout_test.go against values compiled from the kernel headers
// (testdata/layout.c). Off Linux, OpenLine fails with [ErrUnsupported].
package gpio
