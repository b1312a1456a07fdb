//go:build linux

package alsa

import (
	"fmt"
	"strconv"
	"strings"
)

// hwName is a parsed "hw:" device name. Card is either a number or a
// card id to look up.
type hwName struct {
	Card   string
	Device int
}

// parseName parses the ALSA names Open accepts:
//
//	hw:CARD            device 0 of CARD
//	hw:CARD,DEV
//	hw:CARD=C,DEV=D    the keyword form; DEV may be left out
//	default            hw:0,0
//
// where CARD is a card index or id and DEV a device number. Subdevices
// and plugins (plughw:, dmix:, ...) are not supported: only the kernel
// devices themselves.
func parseName(name string) (hwName, error) {
	if name == "default" || name == "sysdefault" {
		return hwName{Card: "0"}, nil
	}
	rest, ok := strings.CutPrefix(name, "hw:")
	if !ok {
		if i := strings.IndexByte(name, ':'); i > 0 {
			return hwName{}, fmt.Errorf("%w: %q: only hw: devices are supported, not the %s plugin", ErrBadName, name, name[:i])
		}
		return hwName{}, fmt.Errorf("%w: %q: want hw:CARD,DEV or a path", ErrBadName, name)
	}
	var n hwName
	var dev string
	fields := strings.Split(rest, ",")
	if len(fields) > 2 {
		return hwName{}, fmt.Errorf("%w: %q: subdevices are not supported", ErrBadName, name)
	}
	for i, f := range fields {
		key, val, kw := strings.Cut(f, "=")
		if !kw {
			key, val = [...]string{"CARD", "DEV"}[i], f
		}
		switch key {
		case "CARD":
			n.Card = val
		case "DEV":
			dev = val
		case "SUBDEV":
			return hwName{}, fmt.Errorf("%w: %q: subdevices are not supported", ErrBadName, name)
		default:
			return hwName{}, fmt.Errorf("%w: %q: unknown key %q", ErrBadName, name, key)
		}
	}
	if !validCard(n.Card) {
		return hwName{}, fmt.Errorf("%w: %q: bad card %q", ErrBadName, name, n.Card)
	}
	if dev != "" {
		d, err := strconv.Atoi(dev)
		if err != nil || d < 0 || d > 255 {
			return hwName{}, fmt.Errorf("%w: %q: bad device %q", ErrBadName, name, dev)
		}
		n.Device = d
	}
	return n, nil
}

// validCard reports whether s can name a card: an index, or an id of
// letters, digits, '_' and '-' as the kernel keeps them.
func validCard(s string) bool {
	if s == "" || len(s) > 31 {
		return false
	}
	for _, c := range s {
		ok := c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '-'
		if !ok {
			return false
		}
	}
	return true
}

// cardIndex returns the card's index if it is given as a number.
func (n hwName) cardIndex() (int, bool) {
	i, err := strconv.Atoi(n.Card)
	return i, err == nil && i >= 0 && i < 256
}

// pcmFile returns the name of the PCM device file of card, device and
// direction, relative to /dev/snd.
func pcmFile(card, device int, dir Direction) string {
	c := 'c'
	if dir == Playback {
		c = 'p'
	}
	return fmt.Sprintf("pcmC%dD%d%c", card, device, c)
}
