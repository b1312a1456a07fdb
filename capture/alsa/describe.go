//go:build linux

package alsa

import (
	"fmt"
	"io"
	"strings"
)

// Describe prints devices for "p2pcamd --list-devices", one per line
// after its card, as "aplay -l" does:
//
//	card 0: Loopback [Loopback], driver Loopback
//	  hw:0,0 (hw:Loopback,0): Loopback PCM [Loopback PCM], playback (8 subdevices), capture (8 subdevices)
func Describe(w io.Writer, devices []DeviceInfo) error {
	var b strings.Builder
	if len(devices) == 0 {
		b.WriteString("no ALSA PCM devices found\n")
	}
	card := -1
	for _, d := range devices {
		c := d.Card
		if c.Index != card {
			card = c.Index
			fmt.Fprintf(&b, "card %d: %s [%s]", c.Index, orText(c.ID, "?"), orText(c.Name, "unknown"))
			if c.Driver != "" {
				fmt.Fprintf(&b, ", driver %s", c.Driver)
			}
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "  %s", d.HW())
		if c.ID != "" {
			fmt.Fprintf(&b, " (hw:%s,%d)", c.ID, d.Device)
		}
		fmt.Fprintf(&b, ": %s [%s]", orText(d.Name, "unnamed"), orText(d.ID, "?"))
		for _, s := range []struct {
			dir Direction
			n   int
		}{{Playback, d.Playback}, {Capture, d.Capture}} {
			switch {
			case s.n == 1:
				fmt.Fprintf(&b, ", %v", s.dir)
			case s.n > 1:
				fmt.Fprintf(&b, ", %v (%d subdevices)", s.dir, s.n)
			}
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func orText(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}
