//go:build linux

package alsatest

import (
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/p2pcam/p2pcam/capture/alsa"
)

// Source is an alsa.Capturer without ALSA underneath: a microphone that
// captures its samples (interleaved) at its rate in real time, or Speed
// times as fast. After the samples, Read returns io.EOF, unless Loop
// is set. Set the fields before the first Read.
type Source struct {
	Loop  bool
	Speed float64

	params  alsa.Params
	samples []int16

	once   sync.Once
	mu     sync.Mutex
	start  time.Time
	pos    int64 // frames read
	closed chan struct{}
	done   bool
}

var _ alsa.Capturer = (*Source)(nil)

// NewSource returns a Source of samples with the parameters p, whose
// zero fields take alsa's defaults.
func NewSource(p alsa.Params, samples []int16) *Source {
	return &Source{params: fakeParams(p), samples: samples}
}

// fakeParams fills the zero fields of p with alsa's defaults.
func fakeParams(p alsa.Params) alsa.Params {
	if p.Rate <= 0 {
		p.Rate = alsa.DefaultRate
	}
	if p.Channels <= 0 {
		p.Channels = alsa.DefaultChannels
	}
	if p.PeriodFrames <= 0 {
		p.PeriodFrames = max(p.Frames(alsa.DefaultPeriod), 1)
	}
	if p.BufferFrames <= 0 {
		p.BufferFrames = alsa.DefaultPeriods * p.PeriodFrames
	}
	if p.StartFrames <= 0 {
		p.StartFrames = p.BufferFrames
	}
	return p
}

func (s *Source) init() {
	s.once.Do(func() {
		s.closed = make(chan struct{})
		if s.Speed <= 0 {
			s.Speed = 1
		}
	})
}

// Params implements alsa.Capturer.
func (s *Source) Params() alsa.Params { return s.params }

// Delay implements alsa.Capturer: the frames "captured" by now and not
// read (the fake never overruns: Read catches up on them all).
func (s *Source) Delay() (int, error) {
	s.init()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.start.IsZero() {
		return 0, nil
	}
	due := int64(time.Since(s.start).Seconds() * float64(s.params.Rate) * s.Speed)
	return int(max(due-s.pos, 0)), nil
}

// Read implements alsa.Capturer: it blocks until the frames that fill
// buf have been "captured", as a device would.
func (s *Source) Read(buf []int16) (int, error) {
	s.init()
	ch := s.params.Channels
	frames := int64(len(buf) / ch)
	s.mu.Lock()
	if s.done {
		s.mu.Unlock()
		return 0, fmt.Errorf("%w: fake source", alsa.ErrClosed)
	}
	if s.start.IsZero() {
		s.start = time.Now()
	}
	total := int64(len(s.samples) / ch)
	if !s.Loop && s.pos+frames > total {
		frames = max(total-s.pos, 0)
	}
	pos := s.pos
	s.pos += frames
	ready := s.start.Add(time.Duration(float64(s.pos) / (float64(s.params.Rate) * s.Speed) * float64(time.Second)))
	s.mu.Unlock()

	if wait := time.Until(ready); wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-t.C:
		case <-s.closed:
			return 0, fmt.Errorf("%w: fake source", alsa.ErrClosed)
		}
	}
	for i := range frames {
		f := (pos + i) % max(total, 1)
		copy(buf[i*int64(ch):(i+1)*int64(ch)], s.samples[f*int64(ch):])
	}
	if frames < int64(len(buf)/ch) {
		return int(frames), io.EOF
	}
	return int(frames), nil
}

// Close implements alsa.Capturer; it unblocks a pending Read.
func (s *Source) Close() error {
	s.init()
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.done {
		s.done = true
		close(s.closed)
	}
	return nil
}

// Sink is an alsa.Player without ALSA underneath: a speaker with a
// buffer of BufferFrames that plays at its rate in real time (or Speed
// times as fast) and records every frame written to it. Write blocks
// while the buffer is full; Delay is what the buffer holds; Drain waits
// for it to play out; Dropped says what Close cut off; XRuns counts the
// times it ran dry between two Writes (an underrun). Set the fields
// before the first Write.
type Sink struct {
	Speed float64

	params alsa.Params

	once     sync.Once
	mu       sync.Mutex
	samples  []int16
	queued   float64 // frames not played yet
	dropped  int     // frames still queued at Close
	xruns    int
	draining bool // running dry is no underrun
	last     time.Time
	closed   chan struct{}
	done     bool
}

var _ alsa.Player = (*Sink)(nil)

// NewSink returns a Sink with the parameters p, whose zero fields take
// alsa's defaults.
func NewSink(p alsa.Params) *Sink {
	return &Sink{params: fakeParams(p)}
}

func (s *Sink) init() {
	s.once.Do(func() {
		s.closed = make(chan struct{})
		if s.Speed <= 0 {
			s.Speed = 1
		}
	})
}

// play removes from the buffer what was played since the last call,
// counting an underrun if it ran dry; s.mu is held.
func (s *Sink) play(now time.Time) {
	if !s.last.IsZero() {
		left := s.queued - now.Sub(s.last).Seconds()*float64(s.params.Rate)*s.Speed
		if left < 0 && s.queued > 0 && !s.draining && !s.done {
			s.xruns++
		}
		s.queued = max(left, 0)
	}
	s.last = now
}

// Params implements alsa.Player.
func (s *Sink) Params() alsa.Params { return s.params }

// Write implements alsa.Player.
func (s *Sink) Write(buf []int16) (int, error) {
	s.init()
	ch := s.params.Channels
	if len(buf)%ch != 0 {
		return 0, fmt.Errorf("%w: fake sink", alsa.ErrPartialFrame)
	}
	n := 0
	for n < len(buf)/ch {
		s.mu.Lock()
		if s.done {
			s.mu.Unlock()
			return n, fmt.Errorf("%w: fake sink", alsa.ErrClosed)
		}
		s.play(time.Now())
		s.draining = false
		room := min(int(float64(s.params.BufferFrames)-s.queued), len(buf)/ch-n)
		if room > 0 {
			s.samples = append(s.samples, buf[n*ch:(n+room)*ch]...)
			s.queued += float64(room)
			n += room
			s.mu.Unlock()
			continue
		}
		s.mu.Unlock()
		t := time.NewTimer(s.params.Duration(s.params.PeriodFrames))
		select {
		case <-t.C:
		case <-s.closed:
			t.Stop()
		}
	}
	return n, nil
}

// Delay implements alsa.Player: the frames still in the buffer.
func (s *Sink) Delay() (int, error) {
	s.init()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return 0, fmt.Errorf("%w: fake sink", alsa.ErrClosed)
	}
	s.play(time.Now())
	return int(s.queued + 0.5), nil
}

// Drain implements alsa.Player: it waits until the buffer has played.
func (s *Sink) Drain() error {
	s.init()
	for {
		s.mu.Lock()
		if s.done {
			s.mu.Unlock()
			return fmt.Errorf("%w: fake sink", alsa.ErrClosed)
		}
		s.draining = true
		s.play(time.Now())
		left := s.queued
		s.mu.Unlock()
		if left <= 0 {
			return nil
		}
		t := time.NewTimer(s.params.Duration(s.params.PeriodFrames))
		select {
		case <-t.C:
		case <-s.closed:
			t.Stop()
		}
	}
}

// XRuns returns how many times the Sink ran dry while playing, as
// alsa.PCM.XRuns counts underruns.
func (s *Sink) XRuns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.xruns
}

// Dropped returns how many frames were still queued, never to be heard,
// when the Sink was closed.
func (s *Sink) Dropped() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dropped
}

// Samples returns every sample written so far, interleaved.
func (s *Sink) Samples() []int16 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.samples)
}

// Close implements alsa.Player; it drops what is queued and unblocks a
// pending Write or Drain.
func (s *Sink) Close() error {
	s.init()
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.done {
		s.draining = true
		s.play(time.Now())
		s.dropped = int(s.queued + 0.5)
		s.done = true
		close(s.closed)
	}
	return nil
}
