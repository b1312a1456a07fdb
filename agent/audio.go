package agent

import (
	"cmp"
	"context"
	"fmt"

	"github.com/p2pcam/p2pcam/board"
	"github.com/p2pcam/p2pcam/capture"
	"github.com/p2pcam/p2pcam/capture/alsa"
	"github.com/p2pcam/p2pcam/capture/sim"
	"github.com/p2pcam/p2pcam/media"
	"github.com/p2pcam/p2pcam/stream"
)

// audioCodec parses the audio.codec setting.
func audioCodec(s string) (media.Codec, error) {
	switch s {
	case "aac":
		return media.CodecAAC, nil
	case "g711a":
		return media.CodecG711A, nil
	case "g711u":
		return media.CodecG711U, nil
	}
	return 0, fmt.Errorf("audio.codec = %q: want aac, g711a or g711u", s)
}

// soundDevices returns the microphone and the speaker to use: the
// config's, else the board profile's, else ALSA's "default".
func soundDevices(cfg AudioConfig, boardName string) (mic, spk string) {
	prof, _ := board.Lookup(boardName) // agent.New has looked it up
	return cmp.Or(cfg.Microphone, prof.AudioCapture, "default"),
		cmp.Or(cfg.Speaker, prof.AudioPlayback, "default")
}

// micParams is what the microphone is opened with: 16 kHz mono, and a
// buffer of half a second. A capture buffer adds no latency (a read
// returns as soon as a period is in); it is how long the capture loop
// may be held up (an encoder or scheduler hiccup on a loaded camera)
// before the sound card overruns and audio is lost. ALSA's usual four
// periods (80 ms) were too few for p2pcamd beside x264 on the QEMU rig.
var micParams = alsa.Params{Rate: capture.DefaultAudioRate, Channels: 1, BufferFrames: capture.DefaultAudioRate / 2}

// newAudioHub returns the hub of the microphone every quality carries, or
// nil when audio is off. Its samples also go to tap, for media tracks.
// ch is the channel it belongs to.
func newAudioHub(cfg Config, boardName string, env capture.Env, tap *pcmaTap, ch int) (*stream.Hub, error) {
	mic, _ := soundDevices(cfg.Audio, boardName)
	if mic == "off" {
		return nil, nil
	}
	codec, err := audioCodec(cfg.Audio.Codec)
	if err != nil {
		return nil, err
	}
	open := func() (capture.Microphone, error) { return sim.NewVoice(), nil }
	if mic != "sim" {
		open = func() (capture.Microphone, error) { return alsa.Open(mic, alsa.Capture, micParams) }
	}
	src := &capture.Audio{Name: "microphone " + mic, Open: open, Codec: codec, Bitrate: cfg.Audio.Bitrate, Env: env, PCM: tap.push}
	return stream.New(src, stream.Config{
		Name:        fmt.Sprintf("ch%d/audio", ch),
		IdleTimeout: cfg.Stream.IdleTimeout,
		Clock:       cfg.Clock,
		Logger:      cfg.Logger,
	})
}

// withAudio is a quality's source with the shared microphone mixed in:
// it runs the video source and forwards the audio hub's frames, so every
// quality carries the same audio on the same time base.
type withAudio struct {
	video capture.Source
	audio *stream.Hub
}

func (w withAudio) Run(ctx context.Context, emit func(*media.Frame)) error {
	sub, err := w.audio.Subscribe()
	if err != nil {
		return w.video.Run(ctx, emit) // video goes on without sound
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			f, err := sub.Next(ctx)
			if err != nil {
				return
			}
			emit(f)
		}
	}()
	err = w.video.Run(ctx, emit)
	cancel()
	sub.Close()
	<-done
	return err
}
