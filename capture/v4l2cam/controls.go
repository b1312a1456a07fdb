package v4l2cam

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/p2pcam/p2pcam/capture/v4l2"
)

// setControls sets a spec's camera controls (Spec.Controls) on dev, all
// in one call: a name the camera lacks, a menu item it does not have or
// a value out of range is a fatal error that lists what it has.
func setControls(dev *v4l2.Device, want []Control, log *slog.Logger) error {
	if len(want) == 0 {
		return nil
	}
	infos, err := dev.Controls()
	if err != nil {
		return classifySetup(err)
	}
	byName := make(map[string]v4l2.ControlInfo, len(infos))
	var names []string
	for _, c := range infos {
		if c.Type == v4l2.CtrlClass || c.Flags&v4l2.CtrlFlagReadOnly != 0 {
			continue
		}
		n := ControlName(c.Name)
		byName[n] = c
		names = append(names, n)
	}
	values := make([]v4l2.ControlValue, 0, len(want))
	for _, w := range want {
		c, ok := byName[w.Name]
		if !ok {
			return fatalf("camera has no control %s; it has %s (p2pcamd --list-devices shows them)", w.Name, strings.Join(names, ", "))
		}
		v, err := controlValue(c, w.Value)
		if err != nil {
			return fatal(err)
		}
		values = append(values, v4l2.ControlValue{ID: c.ID, Value: v})
	}
	if err := dev.SetControls(values...); err != nil {
		if isGone(err) {
			return err
		}
		return fatalf("camera refused its controls: %v", err)
	}
	for _, w := range want {
		log.Info("camera control set", "control", w.Name, "value", w.Value)
	}
	return nil
}

// controlValue reads a spec's value for control c: a number within its
// range, or the name of one of its menu items.
func controlValue(c v4l2.ControlInfo, value string) (int64, error) {
	name := ControlName(c.Name)
	if n, err := strconv.ParseInt(value, 10, 64); err == nil {
		if n < c.Min || n > c.Max {
			return 0, fmt.Errorf("control %s = %d: want %d to %d", name, n, c.Min, c.Max)
		}
		return n, nil
	}
	var items []string
	for _, m := range c.Menu {
		item := ControlName(m.Name) // "" for an integer menu's: those take the index
		if item == "" {
			continue
		}
		if item == value {
			return m.Index, nil
		}
		items = append(items, item)
	}
	if len(items) == 0 {
		return 0, fmt.Errorf("control %s = %s: it takes a number, %d to %d", name, value, c.Min, c.Max)
	}
	return 0, fmt.Errorf("control %s = %s: want one of %s, or its number", name, value, strings.Join(items, ", "))
}
