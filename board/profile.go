package board

import "github.com/p2pcam/p2pcam/media"

// Auto is the board name that asks for detection (see Detect).
const Auto = "auto"

// SerialHead is a PTZ head on a serial port: the port (the board's
// RS-485 adapter, "/dev/ttyAMA0"), its baud and the head's address.
type SerialHead struct {
	Device  string
	Baud    int
	Address int
}

// Profile describes one kind of board. Profiles are data: see profiles.go
// and docs/boards.md.
type Profile struct {
	Name        string
	Description string
	// Streams maps each quality the board serves to a source spec
	// ("sim:high", "file:PATH", "exec:COMMAND", "v4l2:/dev/videoN?...").
	// A board may serve fewer than three qualities; requests for the
	// others get the nearest.
	Streams map[media.Quality]string
	// Video lists the camera's device nodes, for diagnostics and docs;
	// the streams name what they open themselves.
	Video []string
	// Encoder says what makes the H.264: "camera" (the camera emits it),
	// "m2m:/dev/videoN" (a V4L2 memory-to-memory hardware encoder),
	// "x264" (software), or "none" (prerecorded).
	Encoder string
	// AudioCapture and AudioPlayback are ALSA device names ("hw:CARD,DEV"
	// as package capture/alsa takes them) of the microphone and of the
	// talkback speaker, or the agent's "sim" (synthetic voice) and
	// "null" (discard); "" when the board has none.
	AudioCapture  string
	AudioPlayback string
	// StatusLED is on while viewers watch and blinks on errors.
	StatusLED GPIO
	// IRCut is the IR-cut filter: active puts the filter in front of the
	// sensor (day), inactive takes it out (night).
	IRCut GPIO
	// LightSensor is a digital light sensor: active means dark.
	LightSensor GPIO
	// PTZ is the board's pan-tilt head driver: "sim" (simulated),
	// "pelco-d" (a head on PTZSerial), or "" when it has none.
	PTZ string
	// PTZSerial is where a Pelco-D head listens, for boards built with
	// one; [ptz] serial, baud and address override it.
	PTZSerial SerialHead
	// Watchdog is the hardware watchdog device, "" when there is none.
	Watchdog string
	// Model lists path.Match patterns for the device-tree model
	// (/proc/device-tree/model) of the boards this profile is for.
	Model []string
	// Compatible lists path.Match patterns for entries of the
	// device-tree compatible list, tried when no profile's Model matches.
	Compatible []string
}

// GPIO is one line of a GPIO chip. The zero value means "none".
type GPIO struct {
	// Chip is the chip's label ("pinctrl-bcm2711"), device name
	// ("gpiochip0") or path; labels survive chip renumbering.
	Chip string
	// Line is the line's offset on the chip (on a Raspberry Pi, the
	// BCM GPIO number).
	Line int
	// ActiveLow inverts the line: active is the low level.
	ActiveLow bool
}

// Present reports whether the board has this line.
func (g GPIO) Present() bool { return g.Chip != "" }
