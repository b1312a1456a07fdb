package agent

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/protocol"
	"github.com/p2pcam/p2pcam/ptz"
	"github.com/p2pcam/p2pcam/usercmd"
)

// CommandConfig is one custom command, [commands.NAME]: a viewer's
// action=user_define&cmd=NAME (or cmd={"topic":"NAME",...}) runs Program
// with the request's parameters as JSON on stdin, and its stdout is the
// reply (docs/protocol.md, Custom commands).
type CommandConfig struct {
	// Program is run directly, never through a shell: an absolute path,
	// or a name found in p2pcamd's PATH.
	Program string `toml:"program"`
	// Args are fixed arguments after the program name.
	Args []string `toml:"args"`
	// Timeout kills the program after this long (status 500). It
	// defaults to 5s, and may be at most 5m.
	Timeout time.Duration `toml:"timeout"`
	// MaxOutput bounds the program's stdout in bytes; more kills it
	// (status 500). It defaults to 65536 and may be at most 1 MiB.
	MaxOutput int `toml:"max_output"`
	// Permissions are what a viewer's token must grant to run the
	// command, comma-separated (live, playback, voice, command,
	// download). It defaults to "command"; "live" lets any viewer run a
	// harmless query.
	Permissions string `toml:"permissions"`
	// Subjects, when set, limit the command to tokens whose subject is
	// listed. With no trusted_keys (LAN mode open to all) nobody has a
	// subject, so such a command is refused to everyone.
	Subjects []string `toml:"subjects"`
}

// PTZConfig configures the pan-tilt head (package ptz).
type PTZConfig struct {
	// Driver is "sim" (a simulated head), "uln2003" (two 28BYJ-48
	// stepper motors on ULN2003 boards, wired to GPIO lines below),
	// "off", or "" for the board's (the sim board has a simulated head;
	// other boards none yet).
	Driver string `toml:"driver"`
	// GPIOChip is the chip of the uln2003 driver's lines: a label
	// ("pinctrl-bcm2711"), a device name ("gpiochip0") or a path.
	GPIOChip string `toml:"gpio_chip"`
	// PanCoils and TiltCoils are the line offsets wired to IN1..IN4 of
	// each motor's ULN2003 board (uln2003).
	PanCoils  []int `toml:"pan_coils"`
	TiltCoils []int `toml:"tilt_coils"`
	// EndStops are optional end-stop switches (active low: the switch
	// shorts the line to ground) at the low end of an axis, by axis
	// name: pan (left end) and tilt (bottom). One that closes stops the
	// move and corrects the step count (uln2003).
	EndStops map[string]int `toml:"end_stops"`
	// PanSteps and TiltSteps are the soft limits either side of the
	// centre in half steps (4096 a turn), where the head must be when
	// p2pcamd starts. They default to 2048 (half a turn) and 512.
	PanSteps  int `toml:"pan_steps"`
	TiltSteps int `toml:"tilt_steps"`
	// StepRate is half steps a second (uln2003). It defaults to 500.
	StepRate int `toml:"step_rate"`
	// HoldTimeout stops a pressed move that gets no release. It
	// defaults to 5s.
	HoldTimeout time.Duration `toml:"hold_timeout"`
	// StepDuration is how long ptz_left, ptz_right, ptz_up and ptz_down
	// move. It defaults to 300ms.
	StepDuration time.Duration `toml:"step_duration"`
	// PresetsFile keeps the presets across restarts; "" keeps them in
	// memory only.
	PresetsFile string `toml:"presets_file"`
}

// builtinCommands are the X-P2P commands, answered by the agent or not,
// whose names a [commands.NAME] section may not take; names starting
// "ptz" (the pan-tilt head's), "playback_" and "ota_" (updates, which
// need the update permission) are reserved too.
var builtinCommands = []string{"get_device_st", protocol.CmdStatus, "get_nvr_list",
	"get_record_index", "get_month_record", "get_file_list"}

// reservedCommand reports whether name belongs to a built-in command.
func reservedCommand(name string) bool {
	for _, b := range builtinCommands {
		if name == b {
			return true
		}
	}
	for _, prefix := range []string{"ptz", "playback_", "ota_"} {
		if strings.HasPrefix(name, prefix) {
			return true
		}
	}
	return false
}

// program returns the usercmd.Program of a custom command called name.
func (c CommandConfig) program(name string) usercmd.Program {
	return usercmd.Program{
		Path:      c.Program,
		Args:      c.Args,
		Env:       []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "P2PCAM_COMMAND=" + name},
		Timeout:   c.Timeout,
		MaxOutput: c.MaxOutput,
	}
}

// need returns the permissions the command needs; validated in
// withCommandDefaults.
func (c CommandConfig) need() auth.Permission {
	p, _ := auth.ParsePermissions(c.Permissions)
	return p
}

// allows reports whether a token with subject may run the command.
func (c CommandConfig) allows(subject string) bool {
	if len(c.Subjects) == 0 {
		return true
	}
	for _, s := range c.Subjects {
		if s == subject && subject != "" {
			return true
		}
	}
	return false
}

// withCommandDefaults fills in the defaults of each custom command and
// validates them.
func withCommandDefaults(cmds map[string]CommandConfig) (map[string]CommandConfig, []error) {
	if cmds == nil {
		return nil, nil
	}
	out := make(map[string]CommandConfig, len(cmds))
	var errs []error
	for name, c := range cmds {
		if c.Timeout == 0 {
			c.Timeout = usercmd.DefaultTimeout
		}
		if c.MaxOutput == 0 {
			c.MaxOutput = usercmd.DefaultMaxOutput
		}
		if c.Permissions == "" {
			c.Permissions = "command"
		}
		where := fmt.Sprintf("commands.%s", name)
		switch {
		case !protocol.ValidName(name):
			errs = append(errs, fmt.Errorf("%s: a command name is 1 to %d letters, digits, '_', '-' or '.'", where, protocol.MaxNameLength))
		case reservedCommand(name):
			errs = append(errs, fmt.Errorf("%s: the name is a built-in command's (X-P2P's names and those starting ptz, playback_ or ota_ are reserved)", where))
		}
		if err := c.program(name).Validate(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", where, err))
		}
		if p, err := auth.ParsePermissions(c.Permissions); err != nil || p == 0 {
			errs = append(errs, fmt.Errorf("%s: permissions = %q: want a comma-separated list of live, playback, voice, command, download, update", where, c.Permissions))
		}
		out[name] = c
	}
	return out, errs
}

// withDefaults fills in the PTZ defaults and validates.
func (c PTZConfig) withDefaults() (PTZConfig, error) {
	if c.HoldTimeout == 0 {
		c.HoldTimeout = ptz.DefaultHoldTimeout
	}
	if c.StepDuration == 0 {
		c.StepDuration = ptz.DefaultStepDuration
	}
	if c.PanSteps == 0 {
		c.PanSteps = ptz.DefaultSimPanMax
	}
	if c.TiltSteps == 0 {
		c.TiltSteps = ptz.DefaultSimTiltMax
	}
	if c.StepRate == 0 {
		c.StepRate = ptz.DefaultSimSpeed
	}
	var errs []error
	switch c.Driver {
	case "", "sim", "off":
	case "uln2003":
		errs = append(errs, c.validateStepper()...)
	default:
		errs = append(errs, fmt.Errorf("ptz.driver = %q: want sim, uln2003, off, or empty for the board's", c.Driver))
	}
	if c.PanSteps < 0 || c.TiltSteps < 0 {
		errs = append(errs, fmt.Errorf("ptz.pan_steps = %d, tilt_steps = %d: must be positive", c.PanSteps, c.TiltSteps))
	}
	if c.StepRate < 1 || c.StepRate > ptz.MaxStepRate {
		errs = append(errs, fmt.Errorf("ptz.step_rate = %d: want 1 to %d", c.StepRate, ptz.MaxStepRate))
	}
	if c.HoldTimeout < 0 || c.HoldTimeout > ptz.MaxHoldTimeout {
		errs = append(errs, fmt.Errorf("ptz.hold_timeout = %v: want up to %v", c.HoldTimeout, ptz.MaxHoldTimeout))
	}
	if c.StepDuration < 0 || c.StepDuration > ptz.MaxHoldTimeout {
		errs = append(errs, fmt.Errorf("ptz.step_duration = %v: want up to %v", c.StepDuration, ptz.MaxHoldTimeout))
	}
	return c, errors.Join(errs...)
}

// validateStepper checks the wiring of the uln2003 driver.
func (c PTZConfig) validateStepper() []error {
	var errs []error
	if c.GPIOChip == "" {
		errs = append(errs, errors.New("ptz.gpio_chip is empty: name the GPIO chip of the motors' lines"))
	}
	used := map[int]string{}
	use := func(what string, line int) {
		if line < 0 {
			errs = append(errs, fmt.Errorf("ptz.%s: line %d: must not be negative", what, line))
		} else if other, ok := used[line]; ok {
			errs = append(errs, fmt.Errorf("ptz.%s: line %d is also %s", what, line, other))
		}
		used[line] = what
	}
	for _, ax := range []struct {
		name  string
		coils []int
	}{{"pan_coils", c.PanCoils}, {"tilt_coils", c.TiltCoils}} {
		if len(ax.coils) != 4 {
			errs = append(errs, fmt.Errorf("ptz.%s = %v: want the 4 lines wired to IN1..IN4", ax.name, ax.coils))
		}
		for _, l := range ax.coils {
			use(ax.name, l)
		}
	}
	for axis, l := range c.EndStops {
		if axis != "pan" && axis != "tilt" {
			errs = append(errs, fmt.Errorf("ptz.end_stops.%s: want pan or tilt", axis))
			continue
		}
		use("end_stops."+axis, l)
	}
	return errs
}
