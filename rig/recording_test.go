package rig_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os/exec"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/codec/aac"
	"github.com/p2pcam/p2pcam/internal/mediatest"
)

// recording is a live stream read in the background: its FLV, and when
// each of its audio frames arrived.
type recording struct {
	cancel   context.CancelFunc
	done     chan struct{}
	progress chan struct{} // signalled after each audio frame
	video    chan struct{} // closed at the first video tag

	mu       sync.Mutex // guards the fields below
	flv      bytes.Buffer
	arrivals []arrival // raw AAC frames, in order
	err      error     // why reading stopped early
}

// arrival is an audio frame of the live stream and when the host had it.
type arrival struct {
	pts time.Duration
	at  time.Time
}

// startRecording opens the live stream at path and records it until
// stop (or ctx ends).
func startRecording(ctx context.Context, t *testing.T, cam camera, path string) *recording {
	t.Helper()
	ctx, cancel := context.WithCancel(ctx)
	tags := cam.openLive(ctx, t, path)
	r := &recording{cancel: cancel, done: make(chan struct{}), progress: make(chan struct{}, 1), video: make(chan struct{})}
	r.flv.Write(tags.header)
	go r.run(ctx, tags)
	return r
}

func (r *recording) run(ctx context.Context, tags *flvTags) {
	defer close(r.done)
	defer tags.Close()
	sawVideo := false
	for {
		tag, err := tags.next()
		now := time.Now()
		r.mu.Lock()
		if err != nil {
			if ctx.Err() == nil {
				r.err = err
			}
			r.mu.Unlock()
			return
		}
		r.flv.Write(tag.raw)
		if tag.typ == flvVideo && !sawVideo {
			sawVideo = true
			close(r.video)
		}
		// A raw AAC frame: SoundFormat 10, AACPacketType 1 (FLV spec E.4.2).
		raw := tag.typ == flvAudio && len(tag.data) > 1 && tag.data[0]>>4 == 10 && tag.data[1] == 1
		if raw {
			r.arrivals = append(r.arrivals, arrival{pts: time.Duration(tag.ts) * time.Millisecond, at: now})
		}
		r.mu.Unlock()
		if raw {
			select {
			case r.progress <- struct{}{}:
			default:
			}
		}
	}
}

// last returns the newest audio frame, or false if there is none yet.
func (r *recording) last() (arrival, bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.arrivals) == 0 {
		return arrival{}, false, r.err
	}
	return r.arrivals[len(r.arrivals)-1], true, r.err
}

// waitMedia waits until the live audio reaches pts.
func (r *recording) waitMedia(t *testing.T, pts time.Duration) {
	t.Helper()
	deadline := time.NewTimer(streamTimeout)
	defer deadline.Stop()
	for {
		a, ok, err := r.last()
		switch {
		case err != nil:
			t.Fatalf("live stream: %v", err)
		case ok && a.pts >= pts:
			return
		}
		select {
		case <-r.progress:
		case <-r.done:
			if a, _, err := r.last(); a.pts < pts {
				t.Fatalf("live stream ended at %v of audio, before %v (%v)", a.pts, pts, err)
			}
			return
		case <-deadline.C:
			t.Fatalf("live audio did not reach %v within %v (at %v)", pts, streamTimeout, a.pts)
		}
	}
}

// waitVideo waits for the live stream's first video tag: the stream's
// capture is running.
func (r *recording) waitVideo(t *testing.T) {
	t.Helper()
	deadline := time.NewTimer(streamTimeout)
	defer deadline.Stop()
	select {
	case <-r.video:
	case <-r.done:
		select {
		case <-r.video:
		default:
			r.mu.Lock()
			defer r.mu.Unlock()
			t.Fatalf("live stream ended before its first video tag (%v)", r.err)
		}
	case <-deadline.C:
		t.Fatalf("no live video within %v", streamTimeout)
	}
}

// firstPTS returns the PTS of the first audio frame, waiting for it.
func (r *recording) firstPTS(t *testing.T) time.Duration {
	t.Helper()
	r.waitMedia(t, 0)
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.arrivals[0].pts
}

// mediaAt returns the live stream's audio media time at wall time w, as
// the host saw it: the newest frame it had by then, plus the time since.
func (r *recording) mediaAt(t *testing.T, w time.Time) time.Duration {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	i, _ := slices.BinarySearchFunc(r.arrivals, w, func(a arrival, w time.Time) int { return a.at.Compare(w) })
	if i == 0 {
		t.Fatalf("no live audio by %v", w)
	}
	a := r.arrivals[i-1]
	return a.pts + w.Sub(a.at)
}

// stop ends the recording and returns the FLV (whole tags) and its raw
// audio frames' arrivals.
func (r *recording) stop() ([]byte, []arrival) {
	r.cancel()
	<-r.done
	r.mu.Lock()
	defer r.mu.Unlock()
	return bytes.Clone(r.flv.Bytes()), slices.Clone(r.arrivals)
}

// decodeLiveAudio decodes the audio of a live FLV with ffmpeg: AAC-LC 16
// kHz mono, 1024 samples for each of its frames frames.
func decodeLiveAudio(t *testing.T, live []byte, frames int) []int16 {
	t.Helper()
	path := mediatest.WriteTemp(t, "talk.flv", live)
	a := mediatest.FFprobe(t, path).Audio(t)
	if a.CodecName != "aac" || a.SampleRate != fmt.Sprint(liveRate) || a.Channels != 1 {
		t.Fatalf("live audio %s %s Hz %d channel(s), want aac %d Hz mono", a.CodecName, a.SampleRate, a.Channels, liveRate)
	}
	out, err := exec.Command(mediatest.Require(t, "ffmpeg"), "-v", "error", "-i", path, "-map", "0:a:0", "-f", "s16le", "-acodec", "pcm_s16le", "-").Output()
	if err != nil {
		t.Fatalf("ffmpeg: decode the live audio: %v", err)
	}
	pcm := make([]int16, len(out)/2)
	for i := range pcm {
		pcm[i] = int16(binary.LittleEndian.Uint16(out[2*i:]))
	}
	if len(pcm) != frames*aac.SamplesPerFrame {
		t.Fatalf("ffmpeg decoded %d samples from %d AAC frames, want %d", len(pcm), frames, frames*aac.SamplesPerFrame)
	}
	return pcm
}
