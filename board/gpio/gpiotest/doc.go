// Package gpiotest is a fake kernel for package gpio: fake GPIO chips
// behind the gpio.Sys seam. It decodes the ioctl arguments as bytes, at
// the offsets of the C structs (linux/gpio.h), independently of package
// gpio's Go mirrors, so that a mirror with a wrong layout fails the tests
// instead of agreeing with itself. Tests drive input lines
// ([Chip.Drive]) and read what outputs drive ([Chip.Level]), at the
// physical level, after any active-low inversion.
package gpiotest
