package aac

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os/exec"
	"strings"
	"testing"

	"github.com/p2pcam/p2pcam/internal/mediatest"
)

// signal generates n interleaved samples per channel at rate.
type signal struct {
	name string
	gen  func(rate, channels, n int) []int16
}

// monoToInterleaved builds channels from f(channel, t).
func monoToInterleaved(rate, channels, n int, f func(c int, t float64) float64) []int16 {
	out := make([]int16, n*channels)
	for i := range n {
		t := float64(i) / float64(rate)
		for c := range channels {
			out[i*channels+c] = clip16(f(c, t))
		}
	}
	return out
}

var (
	sigTone440 = signal{"tone440", func(rate, ch, n int) []int16 {
		return monoToInterleaved(rate, ch, n, func(c int, t float64) float64 {
			return 10000 * math.Sin(2*math.Pi*440*t+float64(c))
		})
	}}
	sigTone1k = signal{"tone1k", func(rate, ch, n int) []int16 {
		return monoToInterleaved(rate, ch, n, func(c int, t float64) float64 {
			return 10000 * math.Sin(2*math.Pi*1000*t)
		})
	}}
	sigTwoTone = signal{"twotone", func(rate, ch, n int) []int16 {
		return monoToInterleaved(rate, ch, n, func(c int, t float64) float64 {
			return 6000*math.Sin(2*math.Pi*300*t) + 4000*math.Sin(2*math.Pi*(1900+200*float64(c))*t)
		})
	}}
	// sigSpeech is speech-like: harmonics of a fundamental gliding between
	// 100 and 250 Hz, a formant-like spectral tilt, and a 4 Hz syllable
	// envelope.
	sigSpeech = signal{"speech", func(rate, ch, n int) []int16 {
		out := make([]int16, n*ch)
		phase := 0.0
		for i := range n {
			t := float64(i) / float64(rate)
			f0 := 175 + 75*math.Sin(2*math.Pi*0.7*t)
			phase += 2 * math.Pi * f0 / float64(rate)
			env := 0.5 + 0.5*math.Sin(2*math.Pi*4*t)
			var v float64
			for h := 1; h <= 20; h++ {
				fh := f0 * float64(h)
				if fh > float64(rate)/2-500 {
					break
				}
				amp := 1/(1+math.Pow((fh-700)/400, 2)) + 0.3/float64(h)
				v += amp * math.Sin(float64(h)*phase)
			}
			for c := range ch {
				out[i*ch+c] = clip16(env * 3000 * v * (1 - 0.3*float64(c)))
			}
		}
		return out
	}}
	// sigClicks is a castanets-like click train: decaying noise bursts
	// every 125 ms, which makes encoders switch to short windows.
	sigClicks = signal{"clicks", func(rate, ch, n int) []int16 {
		seed := uint32(7)
		return monoToInterleaved(rate, ch, n, func(c int, t float64) float64 {
			seed = seed*1664525 + 1013904223
			noise := float64(int32(seed)) / (1 << 31)
			ph := math.Mod(t, 0.125)
			return 20000*noise*math.Exp(-ph*400) + 500*math.Sin(2*math.Pi*300*t)
		})
	}}
)

// clip16 rounds v to the nearest int16, saturating.
func clip16(v float64) int16 {
	return int16(math.Max(math.MinInt16, math.Min(math.MaxInt16, math.Round(v))))
}

func pcmBytes(pcm []int16) []byte {
	b := make([]byte, 2*len(pcm))
	for i, s := range pcm {
		binary.LittleEndian.PutUint16(b[2*i:], uint16(s))
	}
	return b
}

func bytesPCM(b []byte) []int16 {
	pcm := make([]int16, len(b)/2)
	for i := range pcm {
		pcm[i] = int16(binary.LittleEndian.Uint16(b[2*i:]))
	}
	return pcm
}

// runFFmpeg runs ffmpeg with args at log level error, failing the test
// on error or on any output to stderr.
func runFFmpeg(t *testing.T, args ...string) []byte {
	t.Helper()
	return runFFmpegLevel(t, "error", args...)
}

// runFFmpegLevel runs ffmpeg at the given log level, failing the test on
// error or on any output to stderr.
func runFFmpegLevel(t *testing.T, level string, args ...string) []byte {
	t.Helper()
	ffmpeg := mediatest.Require(t, "ffmpeg")
	cmd := exec.Command(ffmpeg, append([]string{"-nostdin", "-v", level}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if msgs := ffmpegMessages(stderr.String()); err != nil || msgs != "" {
		t.Fatalf("ffmpeg %v: %v\n%s", args, err, msgs)
	}
	return out
}

// ffmpegMessages drops from ffmpeg's stderr the one warning every raw ADTS
// file gets from the demuxer (it has no duration field), which says
// nothing about the stream's bits.
func ffmpegMessages(stderr string) string {
	var keep []string
	for _, l := range strings.Split(stderr, "\n") {
		if l != "" && !strings.Contains(l, "Estimating duration from bitrate, this may be inaccurate") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

// ffmpegEncode encodes pcm to ADTS with ffmpeg's native aac encoder.
func ffmpegEncode(t *testing.T, pcm []int16, rate, ch int, bitrate string, extra ...string) []byte {
	t.Helper()
	in := mediatest.WriteTemp(t, "in.s16", pcmBytes(pcm))
	args := []string{"-f", "s16le", "-ar", itoa(rate), "-ac", itoa(ch), "-i", in, "-c:a", "aac", "-b:a", bitrate}
	args = append(args, extra...)
	return runFFmpeg(t, append(args, "-f", "adts", "-")...)
}

// ffmpegDecode decodes an ADTS stream with ffmpeg, with -xerror, and
// fails on any message at warning level or above.
func ffmpegDecode(t *testing.T, adts []byte) []int16 {
	t.Helper()
	in := mediatest.WriteTemp(t, "in.aac", adts)
	return bytesPCM(runFFmpegLevel(t, "warning", "-xerror", "-i", in, "-f", "s16le", "-"))
}

// lavfiNoiseSpeech is ffmpeg's speech-like test signal: pink noise low-
// passed at 3 kHz under a 3 Hz syllable envelope.
func lavfiNoiseSpeech(t *testing.T, rate, ch int, seconds float64) []int16 {
	t.Helper()
	src := "anoisesrc=color=pink:amplitude=0.3:seed=42:sample_rate=" + itoa(rate) + ",lowpass=3000,volume='0.5+0.5*sin(2*PI*3*t)':eval=frame"
	return bytesPCM(runFFmpeg(t, "-f", "lavfi", "-i", src, "-t", fmt.Sprint(seconds), "-ac", itoa(ch), "-f", "s16le", "-"))
}

func itoa(n int) string {
	var b []byte
	if n == 0 {
		return "0"
	}
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// snr returns the signal-to-noise ratio in dB of got against want over
// their common length, skipping the first skip samples.
func snr(want, got []int16, skip int) float64 {
	n := min(len(want), len(got))
	var s, e float64
	for i := skip; i < n; i++ {
		w, g := float64(want[i]), float64(got[i])
		s += w * w
		e += (w - g) * (w - g)
	}
	if e == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(s/e)
}

// bestSNR aligns got against want by trying delays (in samples per
// channel) from minDelay to maxDelay and returns the best SNR and delay.
func bestSNR(want, got []int16, channels, minDelay, maxDelay, skip int) (float64, int) {
	best, bestD := math.Inf(-1), 0
	for d := minDelay; d <= maxDelay; d++ {
		if d*channels >= len(got) {
			break
		}
		if v := snr(want, got[d*channels:], skip*channels); v > best {
			best, bestD = v, d
		}
	}
	return best, bestD
}
