//go:build linux

package gpio

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// maxChips bounds the search for a chip by label: /dev/gpiochip0 to
// /dev/gpiochip63. Boards have a handful; numbers can have gaps.
const maxChips = 64

// ChipInfo describes a GPIO chip.
type ChipInfo struct {
	Path  string // "/dev/gpiochip0"
	Name  string // the kernel's name, "gpiochip0"
	Label string // the driver's label, "pinctrl-bcm2711"
	Lines int
}

// ReadChipInfo returns what the chip at path says about itself.
func ReadChipInfo(sys Sys, path string) (ChipInfo, error) {
	fd, err := sys.Open(path)
	if err != nil {
		return ChipInfo{}, openError(path, err)
	}
	defer sys.Close(fd)
	return chipInfoOf(sys, fd, path)
}

func chipInfoOf(sys Sys, fd int, path string) (ChipInfo, error) {
	var ci chipInfo
	if err := sys.Ioctl(fd, getChipInfoIoctl, unsafe.Pointer(&ci)); err != nil {
		return ChipInfo{}, fmt.Errorf("gpio: %s: GPIO_GET_CHIPINFO_IOCTL: %w; is it a GPIO chip?", path, err)
	}
	return ChipInfo{Path: path, Name: cString(ci.Name[:]), Label: cString(ci.Label[:]), Lines: int(ci.Lines)}, nil
}

// Chips lists the GPIO chips of the system.
func Chips(sys Sys) ([]ChipInfo, error) {
	var chips []ChipInfo
	for n := range maxChips {
		ci, err := ReadChipInfo(sys, "/dev/gpiochip"+strconv.Itoa(n))
		if errors.Is(err, unix.ENOENT) {
			continue
		}
		if err != nil {
			return chips, err
		}
		chips = append(chips, ci)
	}
	return chips, nil
}

// chipPath resolves a chip given by path, device name or label.
func chipPath(sys Sys, chip string) (string, error) {
	switch {
	case chip == "":
		return "", fmt.Errorf("%w: empty chip name", ErrNoChip)
	case strings.HasPrefix(chip, "/"):
		return chip, nil
	case isDeviceName(chip):
		return "/dev/" + chip, nil
	}
	chips, err := Chips(sys)
	if err != nil {
		return "", err
	}
	var seen []string
	for _, c := range chips {
		if c.Label == chip {
			return c.Path, nil
		}
		seen = append(seen, fmt.Sprintf("%s %q", c.Name, c.Label))
	}
	if len(seen) == 0 {
		return "", fmt.Errorf("%w: no chip labelled %q: no /dev/gpiochip* at all", ErrNoChip, chip)
	}
	return "", fmt.Errorf("%w: no chip labelled %q; have %s", ErrNoChip, chip, strings.Join(seen, ", "))
}

// isDeviceName reports whether s is "gpiochipN".
func isDeviceName(s string) bool {
	n, ok := strings.CutPrefix(s, "gpiochip")
	if !ok || n == "" {
		return false
	}
	_, err := strconv.Atoi(n)
	return err == nil
}

// openError says what to do about a failed open.
func openError(path string, err error) error {
	switch {
	case errors.Is(err, unix.ENOENT):
		return fmt.Errorf("%w: open %s: %w; is the GPIO character device enabled (CONFIG_GPIO_CDEV)?", ErrNoChip, path, err)
	case errors.Is(err, unix.EACCES), errors.Is(err, unix.EPERM):
		return fmt.Errorf("gpio: open %s: %w; add the service user to group 'gpio' (or the group owning %s)", path, err, path)
	}
	return fmt.Errorf("gpio: open %s: %w", path, err)
}
