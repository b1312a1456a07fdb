package rig_test

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/codec/aac"
	"github.com/p2pcam/p2pcam/codec/g711"
	"github.com/p2pcam/p2pcam/media"
	"github.com/p2pcam/p2pcam/mux/flv"
)

// talker codes what a viewer says as viewer apps do: AAC-LC 16 kHz mono
// at 32 kbit/s, or G.711 at 8 kHz (FLV audio, protocol: talkback).
type talker struct {
	rate  int
	frame int // samples a frame
	info  *media.AudioInfo
	aac   *aac.Encoder
}

func newTalker(t *testing.T, codec string) talker {
	t.Helper()
	switch codec {
	case "aac":
		enc, err := aac.NewEncoder(aac.EncoderConfig{SampleRate: 16000, Channels: 1, Bitrate: 32000})
		if err != nil {
			t.Fatal(err)
		}
		asc, err := enc.Config().Marshal()
		if err != nil {
			t.Fatal(err)
		}
		return talker{rate: 16000, frame: aac.SamplesPerFrame, aac: enc,
			info: &media.AudioInfo{Codec: media.CodecAAC, SampleRate: 16000, Channels: 1, Config: asc}}
	case "g711u":
		return talker{rate: 8000, frame: 160, info: &media.AudioInfo{Codec: media.CodecG711U, SampleRate: 8000, Channels: 1}}
	}
	t.Fatalf("talker: unknown codec %q", codec)
	return talker{}
}

// code returns the frames of pcm, the last one padded with silence.
func (k talker) code(t *testing.T, pcm []int16) []*media.Frame {
	t.Helper()
	var frames []*media.Frame
	add := func(payload []byte, i int) {
		if len(payload) > 0 {
			frames = append(frames, &media.Frame{Kind: media.KindAudio, Codec: k.info.Codec, Key: true,
				PTS: samplesDurAt(i, k.rate), Payload: payload, Audio: k.info})
		}
	}
	for i := 0; i < len(pcm); i += k.frame {
		in := make([]int16, k.frame)
		copy(in, pcm[i:])
		if k.aac == nil {
			add(g711.EncodeULaw(nil, in), i)
			continue
		}
		out, err := k.aac.Encode(nil, in)
		if err != nil {
			t.Fatal(err)
		}
		add(out, i)
	}
	if k.aac != nil {
		out, err := k.aac.Flush(nil)
		if err != nil {
			t.Fatal(err)
		}
		add(out, len(pcm))
	}
	return frames
}

// talked says when a talk was asked for, answered, and ended.
type talked struct {
	requested time.Time // the POST went out
	started   time.Time // the camera answered; the first frame was sent
	ended     time.Time // the last frame was sent and the camera was done
}

// talk sends frames to the camera's speaker (voice?channel=0, a POST
// body in LAN mode), each at its time, as a talker speaks, and returns
// once the camera has played them.
func talk(ctx context.Context, t *testing.T, cam camera, frames []*media.Frame) talked {
	t.Helper()
	pr, pw := io.Pipe()
	defer pw.Close()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cam.base+"/voice?channel=0", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "video/x-flv")
	var tk talked
	tk.requested = time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("talk: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
		t.Fatalf("talk: %s: %s", resp.Status, b)
	}
	tk.started = time.Now()
	if err := sendPaced(ctx, pw, frames, tk.started); err != nil {
		t.Fatalf("talk: %v", err)
	}
	pw.Close()
	// The camera ends its answer once it has played the talk.
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		t.Fatalf("talk: the camera's answer: %v", err)
	}
	tk.ended = time.Now()
	return tk
}

// sendPaced writes frames as FLV to w, each at start plus its PTS.
func sendPaced(ctx context.Context, w io.Writer, frames []*media.Frame, start time.Time) error {
	mux := flv.NewMuxer(w, flv.MuxerConfig{HasAudio: true})
	for _, f := range frames {
		wait := time.NewTimer(time.Until(start.Add(f.PTS)))
		select {
		case <-wait.C:
		case <-ctx.Done():
			wait.Stop()
			return ctx.Err()
		}
		if err := mux.WriteFrame(f); err != nil {
			return err
		}
	}
	return nil
}
