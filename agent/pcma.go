package agent

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/p2pcam/p2pcam/codec/g711"
	"github.com/p2pcam/p2pcam/codec/pcm"
	"github.com/p2pcam/p2pcam/media"
	"github.com/p2pcam/p2pcam/stream"
)

// pcmaInfo describes the audio of WebRTC tracks: G.711 A-law, 8 kHz mono.
var pcmaInfo = &media.AudioInfo{Codec: media.CodecG711A, SampleRate: 8000, Channels: 1}

// pcmaQueue bounds the PCMA frames between the capture loop and the PCMA
// hub: 16 reads are 320 ms.
const pcmaQueue = 16

// pcmaTap makes PCMA frames for media tracks from the microphone's
// samples before the encoder (capture.Audio.PCM): resampled to 8 kHz and
// A-law coded, one frame per capture read (20 ms, a packet), with none
// of the AAC encoder's lookahead and decoder's delay (about 190 ms). It
// works only while a PCMA source listens.
type pcmaTap struct {
	mu  sync.Mutex // guards every field
	out chan<- *media.Frame
	rs  *pcm.Resampler
	low []int16
}

// push codes samples of the microphone at rate, captured from pts.
func (t *pcmaTap) push(pts time.Duration, rate int, samples []int16) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.out == nil {
		return
	}
	if t.rs == nil || !t.rs.Converts(rate, 1) {
		t.rs = pcm.NewResampler(rate, 1, pcmaInfo.SampleRate, 1)
	}
	t.low = t.rs.Convert(t.low[:0], samples)
	f := &media.Frame{Kind: media.KindAudio, Codec: media.CodecG711A, Key: true, PTS: pts,
		Payload: g711.EncodeALaw(nil, t.low), Audio: pcmaInfo}
	select {
	case t.out <- f:
	default: // the PCMA hub is behind: a gap, never a stall of the capture loop
	}
}

// listen sends the tap's frames to out until stop.
func (t *pcmaTap) listen(out chan<- *media.Frame) (stop func()) {
	t.mu.Lock()
	t.out, t.rs = out, nil
	t.mu.Unlock()
	return func() {
		t.mu.Lock()
		if t.out == out {
			t.out = nil
		}
		t.mu.Unlock()
	}
}

// newPCMAHub returns the hub of the microphone as PCMA for media tracks,
// coded once for every track viewer, or nil when audio is off.
func newPCMAHub(cfg Config, audio *stream.Hub, tap *pcmaTap, ch int) (*stream.Hub, error) {
	if audio == nil {
		return nil, nil
	}
	return stream.New(&pcmaSource{audio: audio, tap: tap}, stream.Config{
		Name:        fmt.Sprintf("ch%d/audio-pcma", ch),
		IdleTimeout: cfg.Stream.IdleTimeout,
		Clock:       cfg.Clock,
		Logger:      cfg.Logger,
	})
}

// pcmaSource publishes the tap's frames. It subscribes to the microphone
// hub to keep the microphone running, and drops its coded frames.
type pcmaSource struct {
	audio *stream.Hub
	tap   *pcmaTap
}

func (s *pcmaSource) Run(ctx context.Context, emit func(*media.Frame)) error {
	frames := make(chan *media.Frame, pcmaQueue)
	stop := s.tap.listen(frames)
	defer stop()
	sub, err := s.audio.Subscribe()
	if err != nil {
		return err
	}
	defer sub.Close()
	go func() {
		for {
			if _, err := sub.Next(ctx); err != nil {
				return
			}
		}
	}()
	for {
		select {
		case f := <-frames:
			emit(f)
		case <-ctx.Done():
			return nil
		}
	}
}
