package talkback

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/p2pcam/p2pcam/capture/alsa"
	"github.com/p2pcam/p2pcam/codec/pcm"
)

// speakerParams is what talkback asks of a speaker: 16 kHz mono suits
// speech, and ALSA picks the nearest the device can do.
var speakerParams = alsa.Params{Rate: 16000, Channels: 1}

// OpenSpeaker opens a speaker by spec:
//
//	hw:CARD,DEV, default, /dev/snd/pcmC0D0p   an ALSA playback device
//	wav:PATH                                  a WAV file, written in real time (tests, the sim board)
//	null                                      plays nothing, in real time
func OpenSpeaker(spec string) (alsa.Player, error) {
	switch {
	case spec == "null":
		return newFileSpeaker(nil, speakerParams), nil
	case strings.HasPrefix(spec, "wav:"):
		path := strings.TrimPrefix(spec, "wav:")
		f, err := os.CreateTemp(filepath.Dir(path), ".speaker-*.wav")
		if err != nil {
			return nil, fmt.Errorf("talkback: %w", err)
		}
		s := newFileSpeaker(f, speakerParams)
		s.path = path
		return s, nil
	}
	return alsa.Open(spec, alsa.Playback, speakerParams)
}

// fileSpeaker is a speaker with no sound card: it takes samples at the
// rate a device would play them, and writes them to a WAV file if it has
// one. The WAV header is written at Close, when the length is known.
type fileSpeaker struct {
	f      *os.File
	path   string // where the WAV file goes at Close
	p      alsa.Params
	mu     sync.Mutex
	start  time.Time
	played int // frames
	data   []byte
}

func newFileSpeaker(f *os.File, p alsa.Params) *fileSpeaker {
	p.PeriodFrames, p.BufferFrames = p.Rate/50, p.Rate/50*4
	return &fileSpeaker{f: f, p: p}
}

func (s *fileSpeaker) Params() alsa.Params { return s.p }

// Write waits while more than a buffer's worth is queued, as a device
// would, then takes buf.
func (s *fileSpeaker) Write(buf []int16) (int, error) {
	frames := len(buf) / s.p.Channels
	s.mu.Lock()
	if s.start.IsZero() {
		s.start = time.Now()
	}
	due := s.start.Add(time.Duration(s.played+frames-s.p.BufferFrames) * time.Second / time.Duration(s.p.Rate))
	s.played += frames
	if s.f != nil {
		s.data = pcm.AppendSamples(s.data, buf)
	}
	s.mu.Unlock()
	time.Sleep(time.Until(due))
	return frames, nil
}

// Delay is what is queued but not yet "heard".
func (s *fileSpeaker) Delay() (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.start.IsZero() {
		return 0, nil
	}
	heard := int(time.Since(s.start).Seconds() * float64(s.p.Rate))
	return max(s.played-heard, 0), nil
}

// Drain waits until what is queued has been "heard".
func (s *fileSpeaker) Drain() error {
	d, err := s.Delay()
	time.Sleep(s.p.Duration(d))
	return err
}

// Close writes the WAV file, if any: whole, or not at all.
func (s *fileSpeaker) Close() error {
	if s.f == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b := pcm.AppendWAVHeader(nil, pcm.Format{Rate: s.p.Rate, Channels: s.p.Channels}, len(s.data)/2)
	_, err := s.f.Write(append(b, s.data...))
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(s.f.Name(), s.path)
	}
	s.f = nil
	return err
}
