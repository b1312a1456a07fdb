package talkback

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/p2pcam/p2pcam/capture/alsa"
	"github.com/p2pcam/p2pcam/codec/pcm"
	"github.com/p2pcam/p2pcam/media"
	"github.com/p2pcam/p2pcam/mux/flv"
)

// Defaults of a Config.
const (
	DefaultJitter      = 60 * time.Millisecond
	DefaultMaxLatency  = 400 * time.Millisecond
	DefaultIdleTimeout = 2 * time.Second
	// maxTagSize bounds a talkback tag: a second of 48 kHz stereo PCM.
	maxTagSize = 192 << 10
)

// Speaker is where talkback plays: an ALSA playback device or a stand-in.
type Speaker = alsa.Player

// Config configures talkback.
type Config struct {
	// OpenSpeaker opens the speaker for a talk session; it is closed
	// when the session ends.
	OpenSpeaker func() (Speaker, error)
	// Jitter is how much audio is buffered before playback starts, to
	// ride out uneven arrival. It defaults to 60 ms.
	Jitter time.Duration
	// MaxLatency bounds the audio waiting to play; beyond it the oldest
	// is dropped, so a talker never falls behind. It defaults to 400 ms.
	MaxLatency time.Duration
	// IdleTimeout frees the speaker from a talker that sends nothing. It
	// defaults to 2 s.
	IdleTimeout time.Duration
	Logger      *slog.Logger
}

// Talkback owns the speaker.
type Talkback struct {
	cfg  Config
	busy atomic.Bool
}

// New returns talkback for cfg.
func New(cfg Config) *Talkback {
	if cfg.Jitter == 0 {
		cfg.Jitter = DefaultJitter
	}
	if cfg.MaxLatency == 0 {
		cfg.MaxLatency = DefaultMaxLatency
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Talkback{cfg: cfg}
}

// Busy reports whether a viewer is talking.
func (t *Talkback) Busy() bool { return t.busy.Load() }

// Stats describes a finished talk session.
type Stats struct {
	Tags, BadFrames int
	Played          time.Duration // audio written to the speaker
	Dropped         time.Duration // audio dropped to bound latency
	// FirstSound is the time from the first byte received to the first
	// sample written to the speaker.
	FirstSound time.Duration
	// Underruns counts the times the speaker ran dry while playing
	// (audio came too late: a gap was heard), if it counts them, as an
	// ALSA device does.
	Underruns int
}

// xrunCounter is a speaker that counts its underruns, as *alsa.PCM does.
type xrunCounter interface{ XRuns() int }

// Serve plays the FLV audio stream r until it ends, goes idle, or ctx is
// done. It fails at once with ErrBusy while another session runs. ready,
// if not nil, is called once the speaker is taken, before anything is
// read (a transport answers the viewer then).
func (t *Talkback) Serve(ctx context.Context, r io.Reader, ready func()) (Stats, error) {
	return t.serve(ctx, ready, func(ctx context.Context, out chan<- tagResult) { readTags(ctx, r, out) })
}

// FrameReader is talkback audio a transport has already taken apart:
// each ReadFrame returns one coded frame, G.711 A-law or µ-law at 8 kHz
// mono (the payload of an RTP packet of a WebRTC audio track), with a
// gap before it in samples for audio lost on the way (played as
// silence). It returns an error, io.EOF at the end, when the talker is
// done.
type FrameReader interface {
	ReadFrame(ctx context.Context) (codec media.Codec, payload []byte, gap int, err error)
}

// maxGap bounds the silence played for lost audio: 200 ms at 8 kHz.
const maxGap = 1600

// ServeFrames is Serve for audio that comes as frames (a viewer's WebRTC
// audio track) rather than FLV.
func (t *Talkback) ServeFrames(ctx context.Context, r FrameReader, ready func()) (Stats, error) {
	return t.serve(ctx, ready, func(ctx context.Context, out chan<- tagResult) {
		for {
			codec, p, gap, err := r.ReadFrame(ctx)
			tr := tagResult{codec: codec, gap: min(max(gap, 0), maxGap), data: p, at: time.Now(), err: err}
			select {
			case out <- tr:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	})
}

func (t *Talkback) serve(ctx context.Context, ready func(), read func(context.Context, chan<- tagResult)) (Stats, error) {
	if !t.busy.CompareAndSwap(false, true) {
		return Stats{}, ErrBusy
	}
	defer t.busy.Store(false)
	spk, err := t.cfg.OpenSpeaker()
	if err != nil {
		return Stats{}, fmt.Errorf("talkback: open speaker: %w", err)
	}
	defer spk.Close()
	if ready != nil {
		ready()
	}
	s := &session{cfg: t.cfg, spk: spk, out: spk.Params()}
	return s.run(ctx, read)
}

// session is one talker's stream.
type session struct {
	cfg     Config
	spk     alsa.Player
	out     alsa.Params
	stats   Stats
	playErr error // from the player, once it has returned
}

// tagResult is what the reader goroutine hands over: an FLV audio tag,
// or a frame of codec (ServeFrames) after gap samples of lost audio.
type tagResult struct {
	codec media.Codec
	gap   int
	data  []byte
	at    time.Time
	err   error
}

func (s *session) run(ctx context.Context, read func(context.Context, chan<- tagResult)) (Stats, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	tags := make(chan tagResult, 16)
	go read(ctx, tags)

	play := newPlayQueue(s.out, s.cfg.Jitter, s.cfg.MaxLatency)
	var wg sync.WaitGroup
	wg.Add(1)
	var firstWrite time.Time
	go func() {
		defer wg.Done()
		firstWrite, s.playErr = play.run(s.spk)
	}()

	var dec decoder
	var rs *pcm.Resampler
	var out []int16
	var firstByte time.Time
	idle := time.NewTimer(s.cfg.IdleTimeout)
	defer idle.Stop()
	for {
		select {
		case <-ctx.Done():
			return s.finish(play, &wg, firstByte, &firstWrite, nil)
		case <-idle.C:
			return s.finish(play, &wg, firstByte, &firstWrite, ErrIdle)
		case tr := <-tags:
			if tr.err != nil {
				if errors.Is(tr.err, io.EOF) {
					tr.err = nil
				}
				return s.finish(play, &wg, firstByte, &firstWrite, tr.err)
			}
			if firstByte.IsZero() {
				firstByte = tr.at
			}
			idle.Reset(s.cfg.IdleTimeout)
			s.stats.Tags++
			samples, err := dec.decodeFrame(tr.codec, tr.gap, tr.data)
			if err != nil {
				if errors.Is(err, ErrFormat) {
					return s.finish(play, &wg, firstByte, &firstWrite, err)
				}
				s.stats.BadFrames++
				continue
			}
			if len(samples) == 0 {
				continue
			}
			if rs == nil || !rs.Converts(dec.rate, dec.channels) {
				rs = pcm.NewResampler(dec.rate, dec.channels, s.out.Rate, s.out.Channels)
			}
			out = rs.Convert(out[:0], samples)
			play.push(out)
		}
	}
}

// finish plays out what is queued, in the queue and in the speaker's
// buffer (closing the speaker would drop that: the end of what the
// talker said), and returns the stats.
func (s *session) finish(play *playQueue, wg *sync.WaitGroup, firstByte time.Time, firstWrite *time.Time, err error) (Stats, error) {
	play.close()
	wg.Wait()
	if s.playErr == nil {
		s.playErr = s.spk.Drain()
	}
	if x, ok := s.spk.(xrunCounter); ok {
		s.stats.Underruns = x.XRuns()
	}
	s.stats.Played, s.stats.Dropped = play.played(), play.dropped()
	if !firstByte.IsZero() && !firstWrite.IsZero() {
		s.stats.FirstSound = firstWrite.Sub(firstByte)
	}
	if err == nil && s.playErr != nil {
		err = fmt.Errorf("talkback: speaker: %w", s.playErr)
	}
	return s.stats, err
}

// readTags reads FLV tags from r into out until an error.
func readTags(ctx context.Context, r io.Reader, out chan<- tagResult) {
	send := func(tr tagResult) bool {
		select {
		case out <- tr:
			return true
		case <-ctx.Done():
			return false
		}
	}
	fr := &firstByteReader{r: r}
	d := flv.NewDemuxer(fr)
	d.MaxTagSize = maxTagSize
	if _, err := d.ReadHeader(); err != nil {
		send(tagResult{err: fmt.Errorf("%w: %v", ErrFormat, err)})
		return
	}
	for {
		tag, err := d.ReadTag()
		if err != nil {
			send(tagResult{err: err})
			return
		}
		if tag.Type != flv.TagTypeAudio {
			continue
		}
		if !send(tagResult{data: append([]byte(nil), tag.Data...), at: fr.first}) {
			return
		}
	}
}

// firstByteReader notes when the first byte arrived.
type firstByteReader struct {
	r     io.Reader
	first time.Time
}

func (f *firstByteReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if n > 0 && f.first.IsZero() {
		f.first = time.Now()
	}
	return n, err
}
