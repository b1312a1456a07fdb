package agent

import (
	"fmt"
	"sort"
	"time"

	"github.com/p2pcam/p2pcam/capture"
	"github.com/p2pcam/p2pcam/media"
	"github.com/p2pcam/p2pcam/record"
	"github.com/p2pcam/p2pcam/stream"
)

// channel is one camera the device serves: channel 0 is the board's own
// camera; an NVR's further cameras are channels 1 to
// protocol.MaxChannel ([[channels]] in the config). Its fields are set
// in New and read-only after.
type channel struct {
	num       int
	name      string                        // DeviceName in get_nvr_list
	hubs      map[media.Quality]*stream.Hub // one per quality
	audio     *stream.Hub                   // the microphone, mixed into every quality; nil when off
	pcma      *stream.Hub                   // the microphone as PCMA for media tracks; nil when off
	qualities []media.Quality               // those in hubs, lowest first
	encoders  map[media.Quality]*encoderControl
	checks    map[media.Quality]capture.Checker // sources that can tell whether they could capture now
	meters    map[media.Quality]*streamMeter    // each stream's video, measured
	// rec records the channel continuously, nil when it does not;
	// recQuality is the stream it records.
	rec        *record.Recorder
	recQuality media.Quality
	// limit is the channel's own viewer limit, taken besides the
	// device's; nil on channel 0, whose limit is the device's.
	limit *viewerLimit
}

// channelSetup is what openChannel needs beyond the channel's streams.
type channelSetup struct {
	cfg   Config // the device's, with the channel's microphone in Audio
	board string // the board profile that names the default microphone
	env   capture.Env
	kinds []capture.Kind
	// wrap, when set, wraps each stream's video source before it is
	// metered (channel 0's health watch).
	wrap func(media.Quality, capture.Source) capture.Source
}

// openChannel opens the sources of specs (source spec by quality) and
// builds a hub for each.
func openChannel(num int, name string, specs map[media.Quality]string, s channelSetup) (*channel, error) {
	ch := &channel{
		num: num, name: name,
		hubs:     map[media.Quality]*stream.Hub{},
		encoders: map[media.Quality]*encoderControl{},
		checks:   map[media.Quality]capture.Checker{},
		meters:   map[media.Quality]*streamMeter{},
	}
	cfg := s.cfg
	tap := &pcmaTap{}
	var err error
	if ch.audio, err = newAudioHub(cfg, s.board, s.env, tap, num); err != nil {
		return nil, err
	}
	if ch.pcma, err = newPCMAHub(cfg, ch.audio, tap, num); err != nil {
		ch.close()
		return nil, err
	}
	for q, spec := range specs {
		src, err := capture.Open(spec, s.env, s.kinds...)
		if err != nil {
			ch.close()
			return nil, fmt.Errorf("agent: channel %d stream %s: %w", num, q, err)
		}
		log := cfg.Logger.With("channel", num, "stream", q)
		ch.encoders[q] = newEncoderControl(src, cfg.Clock, log)
		if c, ok := src.(capture.Checker); ok {
			ch.checks[q] = c
			if err := c.Check(); err != nil {
				log.Warn("stream cannot capture now: viewers get an error until it can; it is checked again for each one",
					"spec", spec, "err", err)
			}
		}
		if s.wrap != nil {
			src = s.wrap(q, src)
		}
		ch.meters[q] = &streamMeter{}
		src = meterVideo(src, ch.meters[q], cfg.Clock.Now)
		if ch.audio != nil {
			src = withAudio{video: src, audio: ch.audio}
		}
		hub, err := stream.New(src, stream.Config{
			Name:        fmt.Sprintf("ch%d/%s", num, q),
			QueueFrames: cfg.Stream.QueueFrames,
			QueueBytes:  cfg.Stream.QueueBytes,
			IdleTimeout: cfg.Stream.IdleTimeout,
			Clock:       cfg.Clock,
			Logger:      cfg.Logger,
		})
		if err != nil {
			ch.close()
			return nil, fmt.Errorf("agent: channel %d stream %s: %w", num, q, err)
		}
		ch.hubs[q] = hub
		ch.qualities = append(ch.qualities, q)
	}
	sort.Slice(ch.qualities, func(i, j int) bool { return ch.qualities[i].Rank() < ch.qualities[j].Rank() })
	return ch, nil
}

// sourceReady reports why the source of stream q cannot capture now, or
// nil: a running source is ready; one that is not running is checked.
func (c *channel) sourceReady(q media.Quality) error {
	chk, ok := c.checks[q]
	if !ok || c.hubs[q].Stats().Running {
		return nil
	}
	return chk.Check()
}

// online reports whether the channel's camera is there, for
// get_nvr_list. While any of its streams runs, it is online when a video
// frame came within videoStall (a camera unplugged, or a capture command
// that keeps failing, makes none); while none runs, when every source
// could start (Checker).
func (c *channel) online(now time.Time) bool {
	running := false
	for q, h := range c.hubs {
		if !h.Stats().Running {
			continue
		}
		running = true
		if last := c.meters[q].last.Load(); last != 0 && now.Sub(time.Unix(0, last)) < videoStall {
			return true
		}
	}
	if running {
		return false
	}
	for q := range c.hubs {
		if c.sourceReady(q) != nil {
			return false
		}
	}
	return true
}

// videoSPS returns the sequence parameter set of the best quality whose
// stream has run, or nil: a media track session names its profile.
func (c *channel) videoSPS() []byte {
	for i := len(c.qualities) - 1; i >= 0; i-- {
		if v := c.hubs[c.qualities[i]].VideoInfo(); v != nil {
			return v.SPS
		}
	}
	return nil
}

// close stops the channel's hubs and encoders.
func (c *channel) close() {
	for _, h := range c.hubs {
		h.Close()
	}
	for _, e := range c.encoders {
		e.stop()
	}
	if c.pcma != nil {
		c.pcma.Close()
	}
	if c.audio != nil {
		c.audio.Close()
	}
}
