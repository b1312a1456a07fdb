//go:build linux

package alsa

import (
	"strconv"
	"strings"
)

// parseCards parses /proc/asound/cards, whose entries the kernel prints
// as
//
//	%2i [%-15s]: %s - %s\n          (index, id, driver, short name)
//	                      %s\n      (long name)
//
// or "--- no soundcards ---". Lines it does not understand are skipped.
func parseCards(text string) []Card {
	var cards []Card
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		c, ok := parseCardLine(lines[i])
		if !ok {
			continue
		}
		if i+1 < len(lines) {
			if next := lines[i+1]; strings.HasPrefix(next, " ") {
				if _, isCard := parseCardLine(next); !isCard {
					c.LongName = strings.TrimSpace(next)
					i++
				}
			}
		}
		cards = append(cards, c)
	}
	return cards
}

// parseCardLine parses the first line of a card entry.
func parseCardLine(line string) (Card, bool) {
	s := strings.TrimLeft(line, " ")
	num, rest, ok := strings.Cut(s, " [")
	if !ok {
		return Card{}, false
	}
	idx, err := strconv.Atoi(num)
	if err != nil || idx < 0 {
		return Card{}, false
	}
	id, rest, ok := strings.Cut(rest, "]: ")
	if !ok {
		return Card{}, false
	}
	c := Card{Index: idx, ID: strings.TrimSpace(id)}
	c.Driver, c.Name, _ = strings.Cut(rest, " - ")
	c.Driver = strings.TrimSpace(c.Driver)
	c.Name = strings.TrimSpace(c.Name)
	return c, c.ID != ""
}

// parsePCMs parses /proc/asound/pcm, whose lines the kernel prints as
//
//	%02i-%02i: %s : %s[ : playback %i][ : capture %i]\n
//
// (card, device, PCM id, PCM name, subdevice counts). The returned
// devices have only Card.Index of their card set. Lines it does not
// understand are skipped.
func parsePCMs(text string) []DeviceInfo {
	var devs []DeviceInfo
	for _, line := range strings.Split(text, "\n") {
		if d, ok := parsePCMLine(line); ok {
			devs = append(devs, d)
		}
	}
	return devs
}

func parsePCMLine(line string) (DeviceInfo, bool) {
	head, rest, ok := strings.Cut(line, ": ")
	if !ok {
		return DeviceInfo{}, false
	}
	cs, ds, ok := strings.Cut(head, "-")
	if !ok {
		return DeviceInfo{}, false
	}
	card, err1 := strconv.Atoi(cs)
	dev, err2 := strconv.Atoi(ds)
	if err1 != nil || err2 != nil || card < 0 || dev < 0 {
		return DeviceInfo{}, false
	}
	d := DeviceInfo{Card: Card{Index: card}, Device: dev}
	fields := strings.Split(rest, " : ")
	// The stream counts come last; the name may itself hold " : ".
	for len(fields) > 1 {
		last := fields[len(fields)-1]
		kind, count, ok := strings.Cut(last, " ")
		n, err := strconv.Atoi(strings.TrimSpace(count))
		if !ok || err != nil || n < 0 {
			break
		}
		switch kind {
		case "playback":
			d.Playback = n
		case "capture":
			d.Capture = n
		default:
			n = -1
		}
		if n < 0 {
			break
		}
		fields = fields[:len(fields)-1]
	}
	d.ID = strings.TrimSpace(fields[0])
	if len(fields) > 1 {
		d.Name = strings.TrimSpace(strings.Join(fields[1:], " : "))
	}
	return d, true
}
