package rig_test

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/codec/aac"
	"github.com/p2pcam/p2pcam/codec/g711"
	"github.com/p2pcam/p2pcam/codec/pcm"
)

// The talk round trip: a talker sends two tones in a row, A then B, and
// the camera's microphone, looped to its speaker by snd-aloop, must bring
// them back in the live stream.
const (
	toneA, toneB       = 1000.0, 1500.0 // Hz: 500 Hz apart, a null of each other's detector
	toneADur, toneBDur = 400 * time.Millisecond, 300 * time.Millisecond
	// talkTail is the silence the talk ends with. snd-aloop garbles the
	// last timer tick of a draining playback (its copy_play_buf clears
	// the capture ring where it has just copied to, and leaves the rest
	// of the tick stale: what the microphone's ring held a buffer, 500
	// ms, before); the tail keeps that off the tones.
	talkTail = 600 * time.Millisecond
	// toneLevel is the tones' amplitude: half of full scale (-6 dBFS).
	toneLevel = 16384
	// liveRate is the live stream's audio rate: AAC-LC 16 kHz mono.
	liveRate = 16000
	// quietBefore is the live audio taken before talking; quietAfter
	// is that taken after the talk ended (the round trip and silence).
	quietBefore = 1500 * time.Millisecond
	quietAfter  = 2 * time.Second
	// talkTimeout bounds one round trip.
	talkTimeout = 45 * time.Second
	// talkAttempts: an attempt that fails while the emulated guest
	// stalled (see disturbance) is made again, up to this many in all.
	talkAttempts = 3
)

// Thresholds of the round trip.
const (
	// The SNR of a tone is measured over its steady part: the sine
	// fitted to it against the rest. The codecs set its ceiling, which
	// the test computes on the host with the camera's own code
	// (codecLimit): what the talker's coding and talkback's conversion
	// to 16 kHz leave of the tone, before any ALSA. Measured, the AAC
	// path keeps 50-60 dB; G.711 is held to 27 dB at 1 kHz and 21 dB at
	// 1.5 kHz by the image that talkback's linear-interpolation
	// upsampler (8 to 16 kHz) leaves at 8 kHz minus the tone. A tone must
	// keep within snrMargin of that limit, or at least maxSNRWanted: a
	// single lost 20 ms ALSA period inside the 200-300 ms measured (a
	// gap of zeros) brings it to about 10 dB, 2 ms to 20 dB; a rate
	// mismatch to below 0 dB.
	snrMargin    = 3.0
	maxSNRWanted = 40.0
	// maxFreqError: the chain is sample-exact at 16 kHz (8 kHz G.711 is
	// upsampled exactly twofold), so the tone keeps its frequency; a
	// rate mismatch anywhere (44.1/48 kHz, 8/16 kHz) is 8% or more.
	maxFreqError = 0.005
	// durTolerance: a tone's length, between the half-amplitude points
	// of its envelope, is kept to the sample by the chain; AAC's
	// smearing moves them a little. One ALSA period (20 ms) lost or
	// repeated shows.
	durTolerance = 10 * time.Millisecond
	// maxGain: ALSA and the loopback keep the level (no mixer, no
	// gain): within 0.5 dB of what the codecs alone leave.
	maxGain = 0.5
	// minDip: inside a tone its envelope (a 10 ms window) keeps its
	// level, to a few percent through the codecs; a gap of zeros of 1.5
	// ms or more takes it below 85%.
	minDip = 0.85
	// maxSilence: the loopback captures zeros while nothing plays, which
	// AAC keeps as zeros; -60 dBFS leaves room for codec noise, and is
	// 54 dB below the tones.
	maxSilence = -60.0
	// echoMargin skips the AAC pre- and post-echo around a tone (one
	// 2048-sample window at 16 kHz is 128 ms) when checking silence.
	echoMargin = 150 * time.Millisecond
	// maxStep: the live audio's timestamps step by a frame (64 ms). The
	// camera sets them back to its clock when its capture loop was held
	// up by more than 40 ms; a step this far off a frame says so.
	maxStep = 20 * time.Millisecond
)

// testTalkRoundTrip checks that what a talker says comes back in the
// camera's live stream: it records the live stream, talks to the camera
// with two tones (coded as codec), and measures them in the live audio
// (decoded by ffmpeg): frequency, length, level, SNR, the silence around
// them, and the round-trip delay. serial and prefix pick the camera's log
// lines from the serial console.
//
// The rig is emulated, on a host that may be busy: the guest can stall
// for a tenth of a second or more, and then its sound cards, whose clocks
// are the host's, run on without it (the speaker runs dry, the microphone
// overruns). Such an attempt is made again, if it failed, up to
// talkAttempts in all; an attempt that fails undisturbed fails the test.
func testTalkRoundTrip(t *testing.T, cam camera, codec string, serial func() string, prefix string) {
	for attempt := 1; ; attempt++ {
		r := talkRoundTrip(t, cam, codec, serial, prefix)
		if len(r.problems) == 0 {
			r.log(t)
			return
		}
		if r.disturbed == "" || attempt == talkAttempts {
			for _, p := range r.problems {
				t.Error(p)
			}
			if r.disturbed != "" {
				t.Errorf("all %d attempts disturbed by guest stalls; the last: %s", attempt, r.disturbed)
			}
			r.log(t)
			return
		}
		t.Logf("attempt %d failed while the guest stalled (%s): %s; again", attempt, r.disturbed, strings.Join(r.problems, "; "))
	}
}

// roundTrip is what one talk round trip measured, and what was wrong.
type roundTrip struct {
	codec         string
	a, b          tone
	answered      time.Duration // the camera's answer to the talk request
	fromRequest   time.Duration // talk request -> tone A in the live stream
	fromTone      time.Duration // first tone frame sent -> tone A
	before, after string        // the silence around the tones
	problems      []string
	disturbed     string // how the guest stalled, if it did
}

func (r *roundTrip) errorf(format string, args ...any) {
	r.problems = append(r.problems, fmt.Sprintf(format, args...))
}

func (r *roundTrip) log(t *testing.T) {
	t.Helper()
	t.Logf("%s talk: answered in %v; %s; %s", r.codec, r.answered.Round(time.Millisecond), r.a, r.b)
	if !r.a.found || !r.b.found {
		return
	}
	t.Logf("round trip (live media time, emulated: relative figures): talk request -> tone A in the live stream %v; first tone frame sent -> tone A %v",
		r.fromRequest.Round(time.Millisecond), r.fromTone.Round(time.Millisecond))
	t.Logf("silence: %s before the talk, %s after", r.before, r.after)
}

// talkRoundTrip makes one round trip and measures it.
func talkRoundTrip(t *testing.T, cam camera, codec string, serial func() string, prefix string) *roundTrip {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), talkTimeout)
	defer cancel()
	rec := startRecording(ctx, t, cam, liveURL)
	defer rec.stop()
	rec.waitMedia(t, rec.firstPTS(t)+quietBefore)
	mark := len(serial())
	tl := newTalker(t, codec)
	tk := talk(ctx, t, cam, tl.code(t, toneBurst(tl.rate)))
	rec.waitMedia(t, rec.mediaAt(t, tk.ended)+quietAfter)
	live, arrivals := rec.stop()

	r := &roundTrip{codec: codec, answered: tk.started.Sub(tk.requested)}
	pcm := decodeLiveAudio(t, live, len(arrivals))
	r.measureTones(t, pcm)
	started := rec.mediaAt(t, tk.started)
	r.noteStalls(arrivals, started, serial()[mark:], prefix)
	if r.a.found {
		// Where tone A starts in the live stream's media time.
		i := r.a.onset
		at := arrivals[i/aac.SamplesPerFrame].pts + samplesDur(i%aac.SamplesPerFrame)
		r.fromRequest, r.fromTone = at-rec.mediaAt(t, tk.requested), at-started
		if r.fromTone <= 0 {
			r.errorf("tone A is in the live stream %v before it was sent: the live media time is misread", -r.fromTone)
		}
	}
	return r
}

// measureTones finds and checks the two tones in the live audio, and
// the silence around them.
func (r *roundTrip) measureTones(t *testing.T, pcm []int16) {
	t.Helper()
	r.a, r.b = measureTone(pcm, liveRate, toneA), measureTone(pcm, liveRate, toneB)
	r.checkTone("tone A", r.a, codecLimit(t, r.codec, toneA), toneADur)
	r.checkTone("tone B", r.b, codecLimit(t, r.codec, toneB), toneBDur)
	if !r.a.found || !r.b.found {
		return
	}
	if gap := samplesDur(r.b.onset - r.a.offset); gap.Abs() > durTolerance {
		r.errorf("tone B starts %v after tone A ends, want them back to back (within %v)", gap, durTolerance)
	}
	r.before = r.checkSilence("before the talk", pcm[:max(0, r.a.onset-durSamples(echoMargin))], time.Second)
	r.after = r.checkSilence("after the talk", pcm[min(len(pcm), r.b.offset+durSamples(echoMargin)):], 500*time.Millisecond)
}

// noteStalls checks the camera's account of the talk (its log since the
// talk), and notes whether the guest stalled while the talk came back:
// the live audio's timestamps around it (the talk started at media time
// started), and the speaker's underruns.
func (r *roundTrip) noteStalls(arrivals []arrival, started time.Duration, log, prefix string) {
	first, last := talkSpan(r.a, r.b, arrivals, started)
	var stalls []string
	if s := disturbance(arrivals, first, last); s != "" {
		stalls = append(stalls, s)
	}
	if n := r.checkTalkLog(log, prefix, toneADur+toneBDur+talkTail); n > 0 {
		stalls = append(stalls, fmt.Sprintf("the speaker ran dry %d time(s)", n))
	}
	r.disturbed = strings.Join(stalls, "; ")
}

// talkSpan returns the frames of the live audio that the talk could
// touch: from a little before tone A to a little after the talk's tail,
// or, if a tone is missing, from the talk's start (started, in media
// time) on.
func talkSpan(a, b tone, arrivals []arrival, started time.Duration) (first, last int) {
	if a.found && b.found {
		margin := durSamples(200 * time.Millisecond)
		return max(0, (a.onset-margin)/aac.SamplesPerFrame), min(len(arrivals)-1, (b.offset+durSamples(talkTail)+margin)/aac.SamplesPerFrame)
	}
	first, _ = slices.BinarySearchFunc(arrivals, started, func(a arrival, pts time.Duration) int { return cmp.Compare(a.pts, pts) })
	return first, len(arrivals) - 1
}

// disturbance describes the stalls of the camera's capture loop that
// the live audio's timestamps show in frames first to last, or "".
func disturbance(arrivals []arrival, first, last int) string {
	var steps []string
	for i := max(first, 1); i <= last; i++ {
		step := arrivals[i].pts - arrivals[i-1].pts
		if (step - liveFrame).Abs() > maxStep {
			steps = append(steps, step.String())
		}
	}
	if len(steps) == 0 {
		return ""
	}
	return fmt.Sprintf("the live audio's timestamps step by %s instead of %v: its capture loop was held up", strings.Join(steps, ", "), liveFrame)
}

// liveFrame is the length of an AAC frame of the live audio.
const liveFrame = aac.SamplesPerFrame * time.Second / liveRate

// checkTone checks a measured tone against the one sent, of length dur,
// as the codecs alone would leave it (want).
func (r *roundTrip) checkTone(name string, m, want tone, dur time.Duration) {
	freq := want.freq
	if !m.found {
		r.errorf("%s (%.0f Hz): not in the live audio (strongest %.0f Hz component: %.1f dBFS)", name, freq, freq, dBFS(m.amp))
		return
	}
	if e := math.Abs(m.freq-freq) / freq; e > maxFreqError {
		r.errorf("%s: %.2f Hz, want %.0f Hz within %.1f%%", name, m.freq, freq, 100*maxFreqError)
	}
	if got := samplesDur(m.offset - m.onset); (got - dur).Abs() > durTolerance {
		r.errorf("%s: lasts %v, want %v within %v", name, got, dur, durTolerance)
	}
	if floor := min(maxSNRWanted, want.snr-snrMargin); m.snr < floor {
		r.errorf("%s: SNR %.1f dB, want at least %.1f dB (the codecs alone leave %.1f dB)", name, m.snr, floor, want.snr)
	}
	if g := m.gain() - want.gain(); math.Abs(g) > maxGain {
		r.errorf("%s: level %+.2f dB from what was sent, want %+.2f dB (the codecs') within %.1f dB", name, m.gain(), want.gain(), maxGain)
	}
	if m.dip < minDip {
		r.errorf("%s: its envelope dips to %.0f%% of its level: a gap", name, 100*m.dip)
	}
}

// checkSilence checks that pcm, at least minDur long, is silence-ish, and
// describes it.
func (r *roundTrip) checkSilence(what string, pcm []int16, minDur time.Duration) string {
	d := samplesDur(len(pcm))
	if d < minDur {
		r.errorf("silence %s: %v of live audio, want at least %v to check", what, d, minDur)
	}
	peak := 0
	for _, v := range pcm {
		peak = max(peak, abs(int(v)))
	}
	if peak == 0 {
		return fmt.Sprintf("digital silence (all zeros) over %v", d)
	}
	level := rmsDBFS(pcm)
	if level > maxSilence {
		r.errorf("silence %s: %.1f dBFS over %v, want below %.0f dBFS", what, level, d, maxSilence)
	}
	return fmt.Sprintf("%.1f dBFS (peak %d) over %v", level, peak, d)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// talkDoneRE matches the camera's log line at the end of a talk.
var talkDoneRE = regexp.MustCompile(`msg="talkback done" .*played=(\S+) dropped=(\S+) bad_frames=(\d+) underruns=(\d+)`)

// checkTalkLog checks the camera's own account of the talk, its log
// lines being those starting with prefix: all of it played, nothing
// dropped or undecodable. It returns the speaker's underruns.
func (r *roundTrip) checkTalkLog(log, prefix string, sent time.Duration) (underruns int) {
	for line := range strings.Lines(log) {
		if !strings.HasPrefix(line, prefix) || prefix == "" && strings.HasPrefix(line, armv7Prefix) {
			continue
		}
		m := talkDoneRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		played, err1 := time.ParseDuration(m[1])
		dropped, err2 := time.ParseDuration(m[2])
		// Talkback's 8 to 16 kHz resampler holds back its last sample.
		if err1 != nil || err2 != nil || m[3] != "0" || dropped != 0 || played < sent-time.Millisecond {
			r.errorf("camera: %s: want %v or more played, nothing dropped, no bad frames", strings.TrimSpace(line), sent)
		}
		underruns, _ = strconv.Atoi(m[4])
		return underruns
	}
	r.errorf("camera (log prefix %q) logged no %q line after the talk:\n%s", prefix, "talkback done", log)
	return 0
}

// codecLimit returns what the talker's codec and talkback's conversion
// to the speaker's 16 kHz leave of a tone of frequency f, computed on the
// host with the camera's code (codec/aac or codec/g711, codec/pcm's
// resampler): its SNR and level, the best the round trip can do.
func codecLimit(t *testing.T, codec string, f float64) tone {
	t.Helper()
	tl := newTalker(t, codec)
	const n = 16 // frames: a second at 16 kHz AAC, 0.3 s of G.711
	in := make([]int16, n*tl.frame)
	for i := range in {
		in[i] = int16(toneLevel * math.Sin(2*math.Pi*f*float64(i)/float64(tl.rate)))
	}
	var out []int16
	if tl.aac != nil {
		dec, err := aac.NewDecoder(tl.aac.Config())
		if err != nil {
			t.Fatal(err)
		}
		for _, fr := range tl.code(t, in) {
			if out, err = dec.Decode(out, fr.Payload); err != nil {
				t.Fatal(err)
			}
		}
	} else {
		out = g711.DecodeULaw(nil, g711.EncodeULaw(nil, in))
	}
	out = pcm.NewResampler(tl.rate, 1, liveRate, 1).Convert(nil, out)
	// The middle half: clear of the codec's start and end.
	mid := out[len(out)/4 : len(out)*3/4]
	m := tone{found: true, freq: f}
	_, m.snr, m.amp = fitSine(mid, liveRate, f)
	return m
}

// toneBurst returns the talk signal at rate: tone A, tone B, and the
// silent tail.
func toneBurst(rate int) []int16 {
	var s []int16
	for _, p := range []struct {
		f float64
		d time.Duration
	}{{toneA, toneADur}, {toneB, toneBDur}} {
		n := int(p.d.Seconds() * float64(rate))
		for i := range n {
			s = append(s, int16(toneLevel*math.Sin(2*math.Pi*p.f*float64(i)/float64(rate))))
		}
	}
	return append(s, make([]int16, int(talkTail.Seconds()*float64(rate)))...)
}
