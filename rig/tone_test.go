package rig_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// tone is a tone measured in PCM.
type tone struct {
	found bool
	// onset and offset are where its envelope crosses half its level:
	// its first sample and the one after its last.
	onset, offset int
	amp           float64 // its level: the fitted sine's peak amplitude
	dip           float64 // the envelope's lowest inside the tone, relative to its level
	freq          float64 // Hz, the sine fitted to its steady part
	snr           float64 // dB: that sine against the rest of the steady part
}

// String describes a tone found.
func (m tone) String() string {
	if !m.found {
		return "none"
	}
	return fmt.Sprintf("%.2f Hz for %v, SNR %.1f dB, level %+.2f dB, envelope dips to %.0f%%",
		m.freq, samplesDur(m.offset-m.onset), m.snr, m.gain(), 100*m.dip)
}

// gain returns the tone's level against what was sent, in dB.
func (m tone) gain() float64 { return 20 * math.Log10(m.amp/toneLevel) }

// minToneAmp is the weakest envelope taken for a tone: -40 dBFS.
const minToneAmp = 328

// measureTone finds the sine of frequency f in pcm (at rate) and measures
// it, from where its envelope first rises through half its level to where
// it last falls through it: a gap inside shows as a dip, not as a shorter
// tone. The envelope is a sliding 10 ms DFT bin at f: the 1000 and 1500
// Hz tones sit on each other's nulls (multiples of 100 Hz away), so each
// is measured alone; what leaks at the other's edges is short, and has no
// middle.
func measureTone(pcm []int16, rate int, f float64) tone {
	l := rate / 100
	env := envelope(pcm, rate, f, l)
	var m tone
	m.amp = slices.Max(env)
	lo, hi := span(env, m.amp/2)
	if m.amp < minToneAmp || hi < lo {
		return m
	}
	mid := slices.Clone(env[lo+(hi-lo)/4 : hi-(hi-lo)/4+1])
	slices.Sort(mid)
	level := mid[len(mid)/2]
	if level < m.amp/2 { // edges and no middle: another tone's leaks
		return m
	}
	lo, hi = span(env, level/2)
	// A window of l samples at i is half over the tone at i = onset - l/2
	// on the way in, and at i = offset - l/2 on the way out.
	m.found, m.onset, m.offset = true, lo+l/2, hi+l/2
	m.dip = 1
	if hi-lo > 2*l { // windows wholly inside the tone
		m.dip = slices.Min(env[lo+l:hi-l+1]) / level
	}
	// Its steady part: 50 ms in from each end, if it is that long.
	steady := pcm[m.onset:m.offset]
	if edge := rate / 20; len(steady) > 3*edge {
		steady = steady[edge : len(steady)-edge]
	}
	m.freq, m.snr, m.amp = fitSine(steady, rate, f)
	return m
}

// span returns the first and the last index where env is at least floor
// (lo > hi if it never is).
func span(env []float64, floor float64) (lo, hi int) {
	lo, hi = len(env), -1
	for i, v := range env {
		if v >= floor {
			lo, hi = min(lo, i), i
		}
	}
	return lo, hi
}

// envelope returns, for each window of l samples of pcm, the amplitude of
// its component at f.
func envelope(pcm []int16, rate int, f float64, l int) []float64 {
	// Prefix sums of pcm[k] e^(-i w k).
	re, im := make([]float64, len(pcm)+1), make([]float64, len(pcm)+1)
	w := 2 * math.Pi * f / float64(rate)
	for k, v := range pcm {
		s, c := math.Sincos(w * float64(k))
		re[k+1] = re[k] + float64(v)*c
		im[k+1] = im[k] - float64(v)*s
	}
	env := make([]float64, max(len(pcm)-l+1, 1))
	for i := range env {
		if i+l <= len(pcm) {
			env[i] = 2 / float64(l) * math.Hypot(re[i+l]-re[i], im[i+l]-im[i])
		}
	}
	return env
}

// fitSine finds the frequency near f (within 5%) of the sine that best
// fits x, and returns it with the SNR of that sine against the residual
// and its amplitude.
func fitSine(x []int16, rate int, f float64) (freq, snr, amp float64) {
	power := func(f float64) float64 {
		a, b := sineFit(x, rate, f)
		return a*a + b*b
	}
	// A coarse search over f +-5%, then a fine one around the best.
	best, bestP := f, power(f)
	for _, s := range []struct{ span, step float64 }{{0.05 * f, 0.5}, {0.5, 0.01}} {
		centre := best
		for g := centre - s.span; g <= centre+s.span; g += s.step {
			if p := power(g); p > bestP {
				best, bestP = g, p
			}
		}
	}
	a, b := sineFit(x, rate, best)
	var sig, noise float64
	w := 2 * math.Pi * best / float64(rate)
	for k, v := range x {
		s, c := math.Sincos(w * float64(k))
		fit := a*s + b*c
		sig += fit * fit
		noise += (float64(v) - fit) * (float64(v) - fit)
	}
	return best, 10 * math.Log10(sig/noise), math.Hypot(a, b)
}

// sineFit returns the least-squares a, b of a sin(wk) + b cos(wk) to x.
func sineFit(x []int16, rate int, f float64) (a, b float64) {
	var ss, sc, cc, xs, xc float64
	w := 2 * math.Pi * f / float64(rate)
	for k, v := range x {
		s, c := math.Sincos(w * float64(k))
		ss += s * s
		cc += c * c
		sc += s * c
		xs += float64(v) * s
		xc += float64(v) * c
	}
	det := ss*cc - sc*sc
	return (xs*cc - xc*sc) / det, (xc*ss - xs*sc) / det
}

// rmsDBFS returns the RMS level of pcm against a full-scale sine.
func rmsDBFS(pcm []int16) float64 {
	var sum float64
	for _, v := range pcm {
		sum += float64(v) * float64(v)
	}
	return dBFS(math.Sqrt(2 * sum / float64(max(len(pcm), 1))))
}

// dBFS returns a sine's peak amplitude in dB of full scale.
func dBFS(amp float64) float64 { return 20 * math.Log10(max(amp, 1e-3)/32768) }

func samplesDur(n int) time.Duration { return samplesDurAt(n, liveRate) }

func samplesDurAt(n, rate int) time.Duration {
	return time.Duration(n) * time.Second / time.Duration(rate)
}

func durSamples(d time.Duration) int { return int(d * liveRate / time.Second) }

// measureTone on signals whose answers are known: where a tone starts
// and ends, its frequency, level and SNR, a gap in it, and a tone of
// another frequency beside it or instead of it.
func TestMeasureTone(t *testing.T) {
	const (
		rate       = 16000
		start, end = 4000, 10400 // samples: 400 ms from 250 ms on
	)
	sine := func(x []int16, from, to int, f float64) {
		for i := from; i < to; i++ {
			x[i] += int16(toneLevel * math.Sin(2*math.Pi*f*float64(i-from)/rate))
		}
	}
	tests := []struct {
		name   string
		make   func(x []int16)
		found  bool
		freq   float64
		minSNR float64
		maxSNR float64
		gapped bool // the envelope dips
	}{
		{"clean", func(x []int16) { sine(x, start, end, 1000) }, true, 1000, 80, 200, false},
		{"followed by the other tone", func(x []int16) { sine(x, start, end, 1000); sine(x, end, end+4800, 1500) }, true, 1000, 80, 200, false},
		{"noise 30 dB down", func(x []int16) {
			sine(x, start, end, 1000)
			r := rand.New(rand.NewPCG(1, 2))
			for i := range x {
				// Uniform noise of RMS toneLevel/sqrt(2) at -30 dB.
				x[i] += int16((r.Float64()*2 - 1) * math.Sqrt(3) * toneLevel / math.Sqrt2 * math.Pow(10, -30.0/20))
			}
		}, true, 1000, 28.5, 31.5, false},
		{"a 5 ms gap", func(x []int16) { sine(x, start, end, 1000); clear(x[7000:7080]) }, true, 1000, 0, 20, true},
		{"a 2 ms gap", func(x []int16) { sine(x, start, end, 1000); clear(x[7000:7032]) }, true, 1000, 0, 25, true},
		{"1% fast (a rate mismatch)", func(x []int16) { sine(x, start, end, 1010) }, true, 1010, 80, 200, false},
		{"only the other tone", func(x []int16) { sine(x, start, end, 1500) }, false, 0, 0, 0, false},
		{"silence", func([]int16) {}, false, 0, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := make([]int16, 2*rate)
			tt.make(x)
			m := measureTone(x, rate, 1000)
			if m.found != tt.found {
				t.Fatalf("found = %v, want %v (%+v)", m.found, tt.found, m)
			}
			if !m.found {
				return
			}
			// A sine's edge moves the half-way point by a sample or so.
			if abs(m.onset-start) > 4 || abs(m.offset-end) > 4 {
				t.Errorf("tone at [%d, %d), want [%d, %d)", m.onset, m.offset, start, end)
			}
			if math.Abs(m.freq-tt.freq) > 0.02 {
				t.Errorf("freq %.3f Hz, want %.0f", m.freq, tt.freq)
			}
			if m.snr < tt.minSNR || m.snr > tt.maxSNR {
				t.Errorf("SNR %.1f dB, want %.1f to %.1f", m.snr, tt.minSNR, tt.maxSNR)
			}
			if g := m.gain(); !tt.gapped && math.Abs(g) > 0.05 {
				t.Errorf("level %+.2f dB, want 0", g)
			}
			if gapped := m.dip < minDip; gapped != tt.gapped {
				t.Errorf("dip to %.2f of the level: gapped %v, want %v", m.dip, gapped, tt.gapped)
			}
		})
	}
}
