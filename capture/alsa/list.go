//go:build linux

package alsa

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Card describes a sound card.
type Card struct {
	// Index is the card number, as in hw:0 and controlC0.
	Index int
	// ID is the card's id, which also names it: hw:Loopback.
	ID string
	// Driver is the name of its driver.
	Driver string
	// Name is its short name; LongName says more (bus, address).
	Name, LongName string
}

// DeviceInfo describes one PCM device of a card, for discovery.
type DeviceInfo struct {
	Card Card
	// Device is the PCM device number on the card.
	Device int
	// ID and Name are the PCM device's id and name.
	ID, Name string
	// Playback and Capture count the device's subdevices of each
	// direction; 0 means it has no such stream.
	Playback, Capture int
}

// HW returns the device's ALSA name, "hw:CARD,DEV" with the card index.
func (d DeviceInfo) HW() string { return fmt.Sprintf("hw:%d,%d", d.Card.Index, d.Device) }

// Can reports whether the device has a stream of direction dir.
func (d DeviceInfo) Can(dir Direction) bool {
	if dir == Playback {
		return d.Playback > 0
	}
	return d.Capture > 0
}

// Scanner finds and opens ALSA devices. Its zero value works on the
// running system; tests set the fields to point at a fake.
type Scanner struct {
	// Sys defaults to Kernel.
	Sys Sys
	// Dev is the directory of the device files; "/dev/snd" by default.
	Dev string
	// Proc is the ALSA procfs directory; "/proc/asound" by default.
	// When it has no "cards" file (procfs not mounted, or a kernel
	// built without CONFIG_SND_PROC_FS), the Scanner asks the control
	// devices instead.
	Proc string
}

func (s Scanner) withDefaults() Scanner {
	if s.Sys == nil {
		s.Sys = Kernel
	}
	if s.Dev == "" {
		s.Dev = "/dev/snd"
	}
	if s.Proc == "" {
		s.Proc = "/proc/asound"
	}
	return s
}

// List describes every PCM device of the system; see Scanner.List.
func List() ([]DeviceInfo, error) { return Scanner{}.List() }

// Cards lists the sound cards, in index order, from /proc/asound/cards
// or, without it, from the control devices.
func (s Scanner) Cards() ([]Card, error) {
	s = s.withDefaults()
	b, err := os.ReadFile(filepath.Join(s.Proc, "cards"))
	if err == nil {
		return parseCards(string(b)), nil
	}
	cards, _, err := s.scanControls(false)
	return cards, err
}

// List describes every PCM device, ordered by card and device number,
// from /proc/asound/cards and /proc/asound/pcm or, without them, from
// the control devices (which takes read access to them). When some
// control devices cannot be read, List returns the devices of the
// others along with an error.
func (s Scanner) List() ([]DeviceInfo, error) {
	s = s.withDefaults()
	cb, cerr := os.ReadFile(filepath.Join(s.Proc, "cards"))
	pb, perr := os.ReadFile(filepath.Join(s.Proc, "pcm"))
	if cerr == nil && (perr == nil || errors.Is(perr, fs.ErrNotExist)) {
		cards := parseCards(string(cb))
		devs := parsePCMs(string(pb))
		for i := range devs {
			for _, c := range cards {
				if c.Index == devs[i].Card.Index {
					devs[i].Card = c
				}
			}
		}
		sortDevices(devs)
		return devs, nil
	}
	_, devs, err := s.scanControls(true)
	sortDevices(devs)
	return devs, err
}

// scanControls asks every control device in s.Dev about its card and,
// if withDevices, its PCM devices.
func (s Scanner) scanControls(withDevices bool) ([]Card, []DeviceInfo, error) {
	entries, err := os.ReadDir(s.Dev)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil // no sound devices at all
	}
	if err != nil {
		return nil, nil, fmt.Errorf("alsa: list devices: %w", err)
	}
	var idx []int
	for _, e := range entries {
		if n, ok := strings.CutPrefix(e.Name(), "controlC"); ok {
			if i, err := strconv.Atoi(n); err == nil && i >= 0 {
				idx = append(idx, i)
			}
		}
	}
	slices.Sort(idx)
	var cards []Card
	var devs []DeviceInfo
	var errs []error
	for _, i := range idx {
		c, d, err := s.scanControl(filepath.Join(s.Dev, fmt.Sprintf("controlC%d", i)), withDevices)
		if err != nil {
			errs = append(errs, err)
		}
		if c != nil {
			cards = append(cards, *c)
		}
		devs = append(devs, d...)
	}
	return cards, devs, errors.Join(errs...)
}

func (s Scanner) scanControl(path string, withDevices bool) (*Card, []DeviceInfo, error) {
	c, err := openControl(s.Sys, path)
	if err != nil {
		return nil, nil, err
	}
	defer c.close()
	card, err := c.cardInfo()
	if err != nil || !withDevices {
		return &card, nil, err
	}
	devs, err := c.devices(card)
	return &card, devs, err
}

func sortDevices(devs []DeviceInfo) {
	slices.SortStableFunc(devs, func(a, b DeviceInfo) int {
		if a.Card.Index != b.Card.Index {
			return a.Card.Index - b.Card.Index
		}
		return a.Device - b.Device
	})
}

// resolve turns a device name into the path of its device file. A name
// starting with "/" or "." is a path already.
func (s Scanner) resolve(name string, dir Direction) (string, error) {
	if strings.HasPrefix(name, "/") || strings.HasPrefix(name, ".") {
		return name, nil
	}
	n, err := parseName(name)
	if err != nil {
		return "", err
	}
	idx, ok := n.cardIndex()
	if !ok {
		cards, err := s.Cards()
		idx = findCard(cards, n.Card)
		if idx < 0 {
			if err != nil {
				return "", fmt.Errorf("%w: %q: no card with id %q (%w)", ErrNotFound, name, n.Card, err)
			}
			return "", fmt.Errorf("%w: %q: no card with id %q", ErrNotFound, name, n.Card)
		}
	}
	return filepath.Join(s.Dev, pcmFile(idx, n.Device, dir)), nil
}

// findCard returns the index of the card with the given id, matched
// exactly or else without regard to case, or -1.
func findCard(cards []Card, id string) int {
	for _, c := range cards {
		if c.ID == id {
			return c.Index
		}
	}
	for _, c := range cards {
		if strings.EqualFold(c.ID, id) {
			return c.Index
		}
	}
	return -1
}
