package sim

import (
	"math"
	"sync"
	"time"

	"github.com/p2pcam/p2pcam/capture/alsa"
)

// VoiceRate is the sample rate of the sim board's microphone.
const VoiceRate = 16000

// Voice is the sim board's microphone: a synthetic, speech-like sound in
// real time. Syllables of a gliding voiced tone (110-220 Hz with a few
// formant-weighted harmonics) come four times a second, with short
// pauses, so a viewer hears that audio flows and where it stutters.
type Voice struct {
	params alsa.Params
	start  time.Time
	n      int // samples produced
	phase  float64
	done   chan struct{}
	once   sync.Once
}

// NewVoice returns a started microphone.
func NewVoice() *Voice {
	return &Voice{
		params: alsa.Params{Rate: VoiceRate, Channels: 1, PeriodFrames: VoiceRate / 50, BufferFrames: VoiceRate / 50 * 4},
		done:   make(chan struct{}),
	}
}

// Params implements alsa.Capturer.
func (v *Voice) Params() alsa.Params { return v.params }

// Delay implements alsa.Capturer: the samples due by now and not read
// (the voice never overruns: Read catches up on them all).
func (v *Voice) Delay() (int, error) {
	if v.start.IsZero() {
		return 0, nil
	}
	due := int(time.Since(v.start).Seconds() * VoiceRate)
	return max(due-v.n, 0), nil
}

// Read fills p with the next samples, waiting until they are "captured".
func (v *Voice) Read(p []int16) (int, error) {
	if v.start.IsZero() {
		v.start = time.Now()
	}
	due := v.start.Add(time.Duration(float64(v.n+len(p)) / VoiceRate * float64(time.Second)))
	select {
	case <-time.After(time.Until(due)):
	case <-v.done:
		return 0, alsa.ErrClosed
	}
	for i := range p {
		p[i] = v.sample(v.n + i)
	}
	v.n += len(p)
	return len(p), nil
}

// sample is the voice at sample i.
func (v *Voice) sample(i int) int16 {
	t := float64(i) / VoiceRate
	syl := math.Mod(t*4, 1) // position within a 250 ms syllable
	if syl > 0.8 {
		return 0 // the pause between syllables
	}
	env := math.Sin(math.Pi * syl / 0.8)
	f0 := 110 + 110*(0.5+0.5*math.Sin(2*math.Pi*0.7*t)) // a slow glide
	v.phase += 2 * math.Pi * f0 / VoiceRate
	var s float64
	for h, w := range [...]float64{1, 0.8, 0.5, 0.6, 0.3, 0.2} { // formant-ish weights
		s += w * math.Sin(float64(h+1)*v.phase)
	}
	return int16(3000 * env * s)
}

// Close unblocks a Read and ends the microphone.
func (v *Voice) Close() error {
	v.once.Do(func() { close(v.done) })
	return nil
}
