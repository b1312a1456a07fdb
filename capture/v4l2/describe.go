//go:build linux

package v4l2

import (
	"fmt"
	"io"
	"strings"
)

// Describe prints devices for "p2pcamd --list-devices": each node's
// identity and kind, then its formats with sizes and frame rates, then
// its controls with ranges and current values.
func Describe(w io.Writer, devices []DeviceInfo) error {
	p := &printer{w: w}
	if len(devices) == 0 {
		p.f("no V4L2 devices found\n")
	}
	for i, d := range devices {
		if i > 0 {
			p.f("\n")
		}
		describeDevice(p, d)
	}
	return p.err
}

// printer writes and keeps the first error.
type printer struct {
	w   io.Writer
	err error
}

func (p *printer) f(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

func describeDevice(p *printer, d DeviceInfo) {
	c := d.Capability
	if c.Driver == "" {
		p.f("%s: %s\n", d.Path, orText(d.Name, "unknown device"))
	} else {
		p.f("%s: %s (%s)\n", d.Path, c.Card, d.Kind)
		p.f("  driver %s %s, bus %s\n", c.Driver, c.KernelVersion(), orText(c.BusInfo, "unknown"))
		p.f("  capabilities: %v\n", c.Node())
	}
	if d.Err != nil {
		p.f("  error: %v\n", d.Err)
	}
	var last BufType
	for _, f := range d.Formats {
		if f.Type != last {
			p.f("  formats (%v):\n", f.Type)
			last = f.Type
		}
		extra := ""
		if f.Compressed() {
			extra = ", compressed"
		}
		p.f("    %-4v  %s%s\n", f.PixelFormat, f.Description, extra)
		for _, s := range f.Sizes {
			line := fmt.Sprintf("%-12s %s", s.FrameSize, intervalsText(s.Intervals))
			p.f("      %s\n", strings.TrimRight(line, " "))
		}
	}
	if len(d.Controls) > 0 {
		p.f("  controls:\n")
	}
	for _, c := range d.Controls {
		describeControl(p, c)
	}
}

// intervalsText prints "30, 15 fps" or "1-60 fps".
func intervalsText(ivs []FrameInterval) string {
	if len(ivs) == 0 {
		return ""
	}
	if ivs[0].Kind != Discrete {
		return ivs[0].String()
	}
	fps := make([]string, len(ivs))
	for i, iv := range ivs {
		fps[i] = formatFPS(iv.Interval.FPS())
	}
	return strings.Join(fps, ", ") + " fps"
}

func describeControl(p *printer, c ControlInfo) {
	if c.Type == CtrlClass {
		p.f("    [%s]\n", c.Name)
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "    %-32s 0x%08x (%v)", c.Name, c.ID, c.Type)
	switch c.Type {
	case CtrlInteger, CtrlInteger64:
		fmt.Fprintf(&b, " min=%d max=%d step=%d default=%d", c.Min, c.Max, c.Step, c.Default)
	case CtrlBoolean, CtrlMenu, CtrlIntegerMenu, CtrlBitmask:
		fmt.Fprintf(&b, " default=%d", c.Default)
	}
	if c.HasValue {
		fmt.Fprintf(&b, " value=%d", c.Value)
	}
	if c.Flags&CtrlFlagReadOnly != 0 {
		b.WriteString(" read-only")
	}
	if c.Flags&CtrlFlagInactive != 0 {
		b.WriteString(" inactive")
	}
	p.f("%s\n", b.String())
	if len(c.Menu) > 0 {
		items := make([]string, len(c.Menu))
		for i, m := range c.Menu {
			if c.Type == CtrlIntegerMenu {
				items[i] = fmt.Sprintf("%d=%d", m.Index, m.Value)
			} else {
				items[i] = fmt.Sprintf("%d=%s", m.Index, m.Name)
			}
		}
		p.f("      %s\n", strings.Join(items, ", "))
	}
}

func orText(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
