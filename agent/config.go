package agent

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/p2pcam/p2pcam/agent/update"
	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/internal/clock"
	"github.com/p2pcam/p2pcam/internal/connlimit"
	"github.com/p2pcam/p2pcam/internal/cors"
	"github.com/p2pcam/p2pcam/link"
	"github.com/p2pcam/p2pcam/media"
	"github.com/p2pcam/p2pcam/protocol"
	"github.com/p2pcam/p2pcam/relay"
	"github.com/p2pcam/p2pcam/signal"
	"github.com/p2pcam/p2pcam/stream"
)

// MaxViewersLimit is the most viewers a camera serves at once: the X-P2P
// figure of 32 P2P viewers per device.
const MaxViewersLimit = 32

// Config is p2pcamd's configuration. The TOML file
// rootfs/etc/p2pcam/p2pcamd.toml documents every field with its default.
// The zero value works: the sim board, LAN mode on 127.0.0.1:8080.
type Config struct {
	// Board names the board profile (package board). It defaults to
	// "sim". p2pcamd resolves "auto", and a config without a board,
	// with board.Detect before it builds the agent.
	Board string `toml:"board"`
	// Device is this camera's identity, "PRODUCT/DEVICE". Tokens must
	// name it, and P2P signalling uses it. It defaults to "p2pcam/sim".
	Device string `toml:"device"`
	// MaxViewers limits concurrent viewers across every transport; one
	// more gets status 405. It defaults to 4 and may be at most 32. P2P
	// mode holds at most twice as many sessions, at most max_viewers of
	// them still connecting (docs/protocol.md, Limits).
	MaxViewers int `toml:"max_viewers"`
	// Streams overrides the board's source per quality. Keys are
	// standard, high and super; values are source specs (file:PATH,
	// exec:COMMAND, sim:QUALITY), or "" to remove the board's stream.
	Streams  map[string]string `toml:"streams"`
	Audio    AudioConfig       `toml:"audio"`
	Auth     AuthConfig        `toml:"auth"`
	P2P      P2PConfig         `toml:"p2p"`
	LAN      LANConfig         `toml:"lan"`
	Stream   StreamConfig      `toml:"stream"`
	Log      LogConfig         `toml:"log"`
	Hardware HardwareConfig    `toml:"hardware"`
	Record   RecordConfig      `toml:"record"`
	PTZ      PTZConfig         `toml:"ptz"`
	OTA      OTAConfig         `toml:"ota"`
	Slots    SlotsConfig       `toml:"slots"`
	Events   EventsConfig      `toml:"events"`
	// Relay is the RTMP relay that viewers over max_viewers are sent to
	// (docs/relay.md). The zero value has none: they get 405.
	Relay relay.Config `toml:"relay"`
	// Commands are the custom commands, by name ([commands.NAME]).
	Commands map[string]CommandConfig `toml:"commands"`
	// Channels are an NVR's further cameras, channels 1 and up
	// ([[channels]]); channel 0 is the board's camera. None by default.
	Channels  []ChannelConfig `toml:"channels"`
	Discovery DiscoveryConfig `toml:"discovery"`

	// OnViewers, when set, is called with the number of connected
	// viewers each time it changes (the status LED). It is called in
	// order, with the count's lock held: it must return at once and must
	// not call the agent. Not read from the file.
	OnViewers func(n int) `toml:"-"`

	// OpenLine opens the GPIO lines of the PTZ driver uln2003. It
	// defaults to gpio.OpenLine. Not read from the file.
	OpenLine func(chip string, offset int, output, activeLow bool, consumer string) (GPIOLine, error) `toml:"-"`
	// OpenInput opens the GPIO inputs of [[events.inputs]]. It defaults
	// to gpio.OpenInput. Not read from the file.
	OpenInput func(chip string, offset int, activeLow bool, debounce time.Duration, consumer string) (GPIOInput, error) `toml:"-"`

	// Installer installs a downloaded, verified update bundle (the A/B
	// slots). Nil: an update stops at state "downloaded". Not read from
	// the file.
	Installer update.Installer `toml:"-"`
	// OTAInitial is the update status to start with, carried across a
	// restart from the A/B slots' state (trial, confirmed, rolled_back).
	// The zero value starts idle. Not read from the file.
	OTAInitial protocol.OTAStatus `toml:"-"`
	// OnOTA, if set, hears each update status after it is published in
	// the device info (p2pcamd restarts once one is installed). It is
	// called on the updater's goroutine. Not read from the file.
	OnOTA func(protocol.OTAStatus) `toml:"-"`

	// Link tunes WebRTC (tests, the demo). Not read from the file.
	Link link.Options `toml:"-"`
	// Version is the software version, for the device info. Not read
	// from the file.
	Version string `toml:"-"`
	// Clock defaults to the system clock. Not read from the file.
	Clock clock.Clock `toml:"-"`
	// Logger defaults to slog.Default(). Not read from the file.
	Logger *slog.Logger `toml:"-"`
}

// AudioConfig configures sound.
type AudioConfig struct {
	// Speaker plays talkback (voice requests): an ALSA device
	// ("hw:0,0", "default"), "wav:PATH" (a file, for tests), "null"
	// (discard), or "off" (no talkback: voice requests get 406). It
	// defaults to the board's speaker: "null" on the sim board.
	Speaker string `toml:"speaker"`
	// Microphone is the sound every live stream carries: an ALSA
	// capture device, "sim" (a synthetic voice), or "off". It defaults
	// to the board's: "sim" on the sim board.
	Microphone string `toml:"microphone"`
	// Codec is the live audio's codec: aac (AAC-LC 16 kHz mono, the
	// default), g711a or g711u.
	Codec string `toml:"codec"`
	// Bitrate of AAC in bit/s. It defaults to 32000.
	Bitrate int `toml:"bitrate"`
}

// AuthConfig says whom the camera trusts.
type AuthConfig struct {
	// TrustedKeys are the Ed25519 public keys (base64, or PEM) of the
	// token issuers this camera trusts. When set, every request on every
	// transport needs a token (package auth) naming this device and
	// granting the request. P2P needs them; LAN mode without them serves
	// anyone who can reach it.
	TrustedKeys []string `toml:"trusted_keys"`
	// DeviceKey is the device's own Ed25519 key, made on first start
	// with mode 0600. It signs P2P answers. It defaults to
	// "/var/lib/p2pcam/keys/device.key".
	DeviceKey string `toml:"device_key"`
}

// LANConfig configures LAN mode: the requests over plain HTTP.
type LANConfig struct {
	// Listen is the HTTP address. It defaults to "127.0.0.1:8080";
	// "off" turns LAN mode off. Without auth.trusted_keys LAN mode serves
	// anyone who can reach it: bind it to a wider address only on a
	// network you trust, or turn auth on.
	Listen string `toml:"listen"`
	// AllowedOrigins are the origins (https://host[:port]) of web pages
	// that may play and command the camera from a browser (CORS), for
	// example with mpegts.js. "*" allows every page and needs
	// auth.trusted_keys, so that a page still needs a token. Empty
	// allows none: players outside a browser need no CORS.
	AllowedOrigins []string `toml:"allowed_origins"`
	// WriteTimeout drops a viewer that takes in no data for this long.
	// It defaults to 10s.
	WriteTimeout time.Duration `toml:"write_timeout"`
	// IdleTimeout closes a keep-alive connection that sends no request
	// for this long. It defaults to DefaultLANIdleTimeout.
	IdleTimeout time.Duration `toml:"idle_timeout"`
	// MaxConns bounds open LAN connections, streams and idle keep-alive
	// connections together. At the cap a new connection takes the place
	// of the one idle longest, or is refused (503) if none is idle. It
	// defaults to 64 (connlimit.DefaultMaxConns: 32 viewers and their
	// command connections, about 20 KB each) and must be at least
	// max_viewers.
	MaxConns int `toml:"max_conns"`
	// MaxConnsPerAddress bounds one client address's connections (an
	// IPv6 /64 counts as one), so that one host cannot take every slot.
	// It defaults to 16 (connlimit.DefaultMaxPerAddr: two browsers'
	// six connections each behind one NAT, with room to spare).
	MaxConnsPerAddress int `toml:"max_conns_per_address"`
}

// DefaultLANIdleTimeout is LANConfig.IdleTimeout's default: long enough
// for a player polling its status every few seconds to keep its
// connection, short enough that abandoned connections go soon.
const DefaultLANIdleTimeout = 15 * time.Second

// StreamConfig tunes every stream hub (see stream.Config).
type StreamConfig struct {
	// IdleTimeout is how long a source runs on after its last viewer
	// left. It defaults to 10s.
	IdleTimeout time.Duration `toml:"idle_timeout"`
	// QueueFrames bounds each viewer's queue. It defaults to 256.
	QueueFrames int `toml:"queue_frames"`
	// QueueBytes bounds each viewer's queued bytes. It defaults to 8 MiB.
	QueueBytes int `toml:"queue_bytes"`
	// MaxLag is how far behind capture a live viewer may fall (its frame
	// queue plus what its transport still holds) before it skips to the
	// next keyframe. It defaults to DefaultMaxLag; negative turns it off.
	MaxLag time.Duration `toml:"max_lag"`
}

// HardwareConfig turns on the board's peripherals that its profile names
// (package board; docs/boards.md). Each is off by default: driving GPIO
// lines that something else is wired to, or arming a watchdog, must be a
// decision. p2pcamd wires them; the agent only reports viewers and health.
type HardwareConfig struct {
	// Watchdog feeds the board's hardware watchdog while the agent is
	// Healthy, and stops when it is not, so that the board reboots.
	Watchdog bool `toml:"watchdog"`
	// StatusLED lights the status LED while viewers watch and blinks it
	// while the agent is not Healthy.
	StatusLED bool `toml:"status_led"`
	// IRCut switches the IR-cut filter from the light sensor.
	IRCut bool `toml:"ir_cut"`
}

// LogConfig configures logging.
type LogConfig struct {
	// Level is debug, info, warn or error. It defaults to info.
	Level string `toml:"level"`
	// Format is text or json. It defaults to text.
	Format string `toml:"format"`
}

// LoadConfig reads a TOML config file. Unknown keys are an error, so that
// a typo does not silently leave a default in place.
func LoadConfig(path string) (Config, error) {
	var cfg Config
	b, err := os.ReadFile(path)
	if err != nil {
		return cfg, fmt.Errorf("config: %w", err)
	}
	md, err := toml.Decode(string(b), &cfg)
	if err != nil {
		return cfg, fmt.Errorf("config %s: %w", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return cfg, fmt.Errorf("config %s: unknown keys %s", path, strings.Join(keys, ", "))
	}
	return cfg, nil
}

// withDefaults fills in defaults and validates.
func (c Config) withDefaults() (Config, error) {
	if c.Board == "" {
		c.Board = "sim"
	}
	if c.Device == "" {
		c.Device = "p2pcam/sim"
	}
	if c.Audio.Codec == "" {
		c.Audio.Codec = "aac"
	}
	if c.Audio.Bitrate == 0 {
		c.Audio.Bitrate = 32000
	}
	if c.Auth.DeviceKey == "" {
		c.Auth.DeviceKey = "/var/lib/p2pcam/keys/device.key"
	}
	if c.MaxViewers == 0 {
		c.MaxViewers = 4
	}
	if c.LAN.Listen == "" {
		c.LAN.Listen = "127.0.0.1:8080"
	}
	if c.LAN.WriteTimeout == 0 {
		c.LAN.WriteTimeout = 10 * time.Second
	}
	if c.LAN.IdleTimeout == 0 {
		c.LAN.IdleTimeout = DefaultLANIdleTimeout
	}
	if c.LAN.MaxConns == 0 {
		c.LAN.MaxConns = connlimit.DefaultMaxConns
	}
	if c.LAN.MaxConnsPerAddress == 0 {
		c.LAN.MaxConnsPerAddress = connlimit.DefaultMaxPerAddr
	}
	if c.Stream.IdleTimeout == 0 {
		c.Stream.IdleTimeout = stream.DefaultIdleTimeout
	}
	if c.Stream.QueueFrames == 0 {
		c.Stream.QueueFrames = stream.DefaultQueueFrames
	}
	if c.Stream.QueueBytes == 0 {
		c.Stream.QueueBytes = stream.DefaultQueueBytes
	}
	if c.Stream.MaxLag == 0 {
		c.Stream.MaxLag = DefaultMaxLag
	}
	if c.P2P.SCTPRTOMax == 0 {
		c.P2P.SCTPRTOMax = link.SCTPRTOMax
	}
	if c.Log.Level == "" {
		c.Log.Level = "info"
	}
	if c.Log.Format == "" {
		c.Log.Format = "text"
	}
	c.Record = c.Record.withDefaults()
	c.Discovery = c.Discovery.withDefaults()
	c.OTA = c.OTA.withDefaults()
	c.Slots = c.Slots.withDefaults()
	relayCfg, relayErr := c.Relay.WithDefaults()
	c.Relay = relayCfg
	c.Clock = clock.Or(c.Clock)
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	var errs []error
	if c.MaxViewers < 1 || c.MaxViewers > MaxViewersLimit {
		errs = append(errs, fmt.Errorf("max_viewers = %d: want 1 to %d", c.MaxViewers, MaxViewersLimit))
	}
	for q := range c.Streams {
		if _, err := media.ParseQuality(q); err != nil {
			errs = append(errs, fmt.Errorf("streams: %w", err))
		}
	}
	if _, err := audioCodec(c.Audio.Codec); err != nil {
		errs = append(errs, err)
	}
	if c.Audio.Bitrate < 8000 || c.Audio.Bitrate > 320000 {
		errs = append(errs, fmt.Errorf("audio.bitrate = %d: want 8000 to 320000", c.Audio.Bitrate))
	}
	if _, err := signal.ParseDeviceID(c.Device); err != nil {
		errs = append(errs, fmt.Errorf("device: %w", err))
	}
	for i, k := range c.Auth.TrustedKeys {
		if _, err := auth.ParsePublicKey(k); err != nil {
			errs = append(errs, fmt.Errorf("auth.trusted_keys[%d]: %w", i, err))
		}
	}
	errs = append(errs, c.P2P.validate(len(c.Auth.TrustedKeys) > 0)...)
	if p, err := cors.New(c.LAN.AllowedOrigins); err != nil {
		errs = append(errs, fmt.Errorf("lan.allowed_origins: %w", err))
	} else if p.AllowsAny() && len(c.Auth.TrustedKeys) == 0 {
		errs = append(errs, fmt.Errorf("lan.allowed_origins = \"*\" needs auth.trusted_keys: without tokens, any web page could watch the camera through its visitors' browsers"))
	}
	errs = append(errs, c.Record.validate()...)
	errs = append(errs, c.OTA.validate()...)
	errs = append(errs, c.Slots.validate()...)
	if relayErr != nil {
		errs = append(errs, relayErr)
	}
	if c.LAN.WriteTimeout < 0 {
		errs = append(errs, fmt.Errorf("lan.write_timeout = %v: must be positive", c.LAN.WriteTimeout))
	}
	if c.LAN.IdleTimeout < 0 {
		errs = append(errs, fmt.Errorf("lan.idle_timeout = %v: must be positive", c.LAN.IdleTimeout))
	}
	if c.LAN.MaxConns < c.MaxViewers {
		errs = append(errs, fmt.Errorf("lan.max_conns = %d: want at least max_viewers (%d), or LAN viewers would be refused below the viewer limit", c.LAN.MaxConns, c.MaxViewers))
	}
	if c.LAN.MaxConnsPerAddress < 1 || c.LAN.MaxConnsPerAddress > c.LAN.MaxConns {
		errs = append(errs, fmt.Errorf("lan.max_conns_per_address = %d: want 1 to lan.max_conns (%d)", c.LAN.MaxConnsPerAddress, c.LAN.MaxConns))
	}
	errs = append(errs, validateChannels(&c)...)
	errs = append(errs, c.Discovery.validate(c.LAN)...)
	var cerrs []error
	c.Commands, cerrs = withCommandDefaults(c.Commands)
	errs = append(errs, cerrs...)
	var perr error
	if c.PTZ, perr = c.PTZ.withDefaults(); perr != nil {
		errs = append(errs, perr)
	}
	var ierrs []error
	c.Events.Inputs, ierrs = inputsWithDefaults(c.Events.Inputs, c.PTZ.GPIOChip)
	errs = append(errs, ierrs...)
	switch c.Events.Motion {
	case "", "on", "off":
	default:
		errs = append(errs, fmt.Errorf("events.motion = %q: want on, off, or empty for the board's default", c.Events.Motion))
	}
	if _, err := ParseLogLevel(c.Log.Level); err != nil {
		errs = append(errs, err)
	}
	if c.Log.Format != "text" && c.Log.Format != "json" {
		errs = append(errs, fmt.Errorf("log.format = %q: want text or json", c.Log.Format))
	}
	if err := errors.Join(errs...); err != nil {
		return c, fmt.Errorf("config: %w", err)
	}
	return c, nil
}

// ParseLogLevel parses debug, info, warn or error.
func ParseLogLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("log.level = %q: want debug, info, warn or error", s)
	}
	return l, nil
}
