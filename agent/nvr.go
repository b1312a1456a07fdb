package agent

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/p2pcam/p2pcam/board"
	"github.com/p2pcam/p2pcam/media"
	"github.com/p2pcam/p2pcam/protocol"
	"github.com/p2pcam/p2pcam/signal"
)

// ChannelConfig is one further camera of an NVR ([[channels]]): channel
// 0 is the board's own camera, set up by the top-level settings.
type ChannelConfig struct {
	// Channel is its number in requests (channel=N): 1 to 255, each used
	// once.
	Channel int `toml:"channel"`
	// Name is its DeviceName in get_nvr_list. It defaults to the device
	// name with "-N" after it, e.g. "sim-1".
	Name string `toml:"name"`
	// Board names a board profile whose streams it starts from, as the
	// top-level board does for channel 0. It defaults to none: Streams
	// must name every stream.
	Board string `toml:"board"`
	// Streams are its sources by quality (standard, high, super), as the
	// top-level streams; "" removes the board's stream. At least one.
	Streams map[string]string `toml:"streams"`
	// Microphone is the sound its live streams carry: an ALSA capture
	// device, "sim" or "off". It defaults to "off".
	Microphone string `toml:"microphone"`
	// MaxViewers limits its concurrent viewers, within the device's
	// max_viewers. It defaults to max_viewers.
	MaxViewers int `toml:"max_viewers"`
	// Record is "off" to keep the channel out of continuous recording,
	// which records every channel by default while [record] dir is set
	// (each with [record]'s settings, its quota its own). Event clips
	// are channel 0's.
	Record string `toml:"record"`
}

// RecordOff is ChannelConfig.Record's value that turns recording off.
const RecordOff = "off"

// validateChannels fills in the channels' defaults and checks them
// against the device's config c.
func validateChannels(c *Config) []error {
	var errs []error
	c.Channels = slices.Clone(c.Channels) // the caller's stays as it was
	seen := map[int]bool{}
	names := map[string]bool{deviceName(c.Device): true}
	for i := range c.Channels {
		ch := &c.Channels[i]
		at := fmt.Sprintf("channels[%d]", i)
		if ch.Channel < 1 || ch.Channel > protocol.MaxChannel {
			errs = append(errs, fmt.Errorf("%s: channel = %d: want 1 to %d (channel 0 is the board's camera)", at, ch.Channel, protocol.MaxChannel))
		} else if seen[ch.Channel] {
			errs = append(errs, fmt.Errorf("%s: channel %d is configured twice", at, ch.Channel))
		}
		seen[ch.Channel] = true
		ch.Name = cmp.Or(ch.Name, deviceName(c.Device)+"-"+strconv.Itoa(ch.Channel))
		if names[ch.Name] {
			errs = append(errs, fmt.Errorf("%s: name %q is taken by another channel", at, ch.Name))
		}
		names[ch.Name] = true
		ch.Microphone = cmp.Or(ch.Microphone, "off")
		if ch.Record != "" && ch.Record != "on" && ch.Record != RecordOff {
			errs = append(errs, fmt.Errorf("%s: record = %q: want \"on\" (the default) or \"off\"", at, ch.Record))
		}
		if ch.MaxViewers == 0 {
			ch.MaxViewers = c.MaxViewers
		}
		if ch.MaxViewers < 1 || ch.MaxViewers > c.MaxViewers {
			errs = append(errs, fmt.Errorf("%s: max_viewers = %d: want 1 to the device's max_viewers (%d)", at, ch.MaxViewers, c.MaxViewers))
		}
		var boardStreams map[media.Quality]string
		if ch.Board != "" {
			prof, err := board.Lookup(ch.Board)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", at, err))
			}
			boardStreams = prof.Streams
		}
		for q := range ch.Streams {
			if _, err := media.ParseQuality(q); err != nil {
				errs = append(errs, fmt.Errorf("%s: streams: %w", at, err))
			}
		}
		if len(mergeSpecs(boardStreams, ch.Streams)) == 0 {
			errs = append(errs, fmt.Errorf("%s: no streams: set board or streams (e.g. streams.high = \"exec:rpicam-vid ...\")", at))
		}
	}
	return errs
}

// deviceName is the DEVICE part of "PRODUCT/DEVICE", or all of it when it
// does not parse (Config.withDefaults reports that).
func deviceName(device string) string {
	id, err := signal.ParseDeviceID(device)
	if err != nil {
		return device
	}
	return id.Device
}

// mergeSpecs merges a board's streams with a config's overrides; an
// override of "" removes the board's stream. Keys of overrides are
// validated qualities.
func mergeSpecs(boardStreams map[media.Quality]string, overrides map[string]string) map[media.Quality]string {
	specs := map[media.Quality]string{}
	for q, s := range boardStreams {
		specs[q] = s
	}
	for name, s := range overrides {
		q := media.Quality(name)
		if s == "" {
			delete(specs, q)
		} else {
			specs[q] = s
		}
	}
	return specs
}

// openNVR opens the channels of cfg.Channels (validated), by number.
func openNVR(cfg Config, s channelSetup) ([]*channel, error) {
	var out []*channel
	fail := func(err error) ([]*channel, error) {
		for _, c := range out {
			c.close()
		}
		return nil, err
	}
	for _, cc := range cfg.Channels {
		var boardStreams map[media.Quality]string
		if cc.Board != "" {
			prof, _ := board.Lookup(cc.Board) // validated
			boardStreams = prof.Streams
		}
		cs := s
		cs.wrap = nil // the health watch is channel 0's: an NVR channel's camera may come and go
		cs.cfg.Audio.Microphone = cc.Microphone
		ch, err := openChannel(cc.Channel, cc.Name, mergeSpecs(boardStreams, cc.Streams), cs)
		if err != nil {
			return fail(err)
		}
		ch.limit = &viewerLimit{max: cc.MaxViewers}
		out = append(out, ch)
		// Recorded like channel 0 unless record = "off" (newRecorder:
		// nil while continuous recording is off). They share channel 0's
		// card, whose recorder tells of its changes.
		if cc.Record != RecordOff {
			if ch.rec, ch.recQuality, err = newRecorder(cfg, cc.Channel, ch.qualities, nil); err != nil {
				return fail(err)
			}
		}
	}
	// By number, for get_nvr_list.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].num < out[j-1].num; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out, nil
}

// lookupChannel returns channel n, or nil when the camera has none.
func (a *Agent) lookupChannel(n int) *channel {
	if n == 0 {
		return &a.channel
	}
	for _, ch := range a.nvr {
		if ch.num == n {
			return ch
		}
	}
	return nil
}

// channelNumbers lists the channels, "0, 1, 2", for error messages.
func (a *Agent) channelNumbers() string {
	nums := []string{"0"}
	for _, ch := range a.nvr {
		nums = append(nums, strconv.Itoa(ch.num))
	}
	return strings.Join(nums, ", ")
}

// nvrEntry is one element of the get_nvr_list reply, as X-P2P has it:
// [{"DeviceName":"cam-1","Channel":"1","Online":"1"}].
type nvrEntry struct {
	DeviceName string `json:"DeviceName"`
	Channel    string `json:"Channel"`
	Online     string `json:"Online"` // "1" online, "0" not
}

// serveNVRList answers get_nvr_list: every channel, channel 0 first.
func (a *Agent) serveNVRList(w Responder) {
	now := a.cfg.Clock.Now()
	list := []nvrEntry{}
	for _, ch := range a.channels() {
		on := "0"
		if ch.online(now) {
			on = "1"
		}
		list = append(list, nvrEntry{DeviceName: ch.name, Channel: strconv.Itoa(ch.num), Online: on})
	}
	a.replyJSON(w, protocol.StatusOK, list)
}

// acquireViewer takes a viewer slot on the device and on ch; ok is false,
// with the reason, when either is full.
func (a *Agent) acquireViewer(ch *channel) (release func(), ok bool, why error) {
	devRelease, ok := a.viewers.acquire()
	if !ok {
		return nil, false, protocol.Errorf(protocol.StatusTooMany, "too many viewers: this camera serves %d at once", a.cfg.MaxViewers)
	}
	if ch.limit == nil {
		return devRelease, true, nil
	}
	chRelease, ok := ch.limit.acquire()
	if !ok {
		devRelease()
		return nil, false, protocol.Errorf(protocol.StatusTooMany, "too many viewers: channel %d serves %d at once", ch.num, ch.limit.max)
	}
	return func() { chRelease(); devRelease() }, true, nil
}

// full reports whether one more live viewer of ch would be refused.
func (a *Agent) full(ch *channel) bool {
	return a.viewers.count() >= a.cfg.MaxViewers || (ch.limit != nil && ch.limit.count() >= ch.limit.max)
}

// channels returns every channel, channel 0 first.
func (a *Agent) channels() []*channel {
	return append([]*channel{&a.channel}, a.nvr...)
}
