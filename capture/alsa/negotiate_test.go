//go:build linux

package alsa_test

import (
	"errors"
	"testing"

	"github.com/p2pcam/p2pcam/capture/alsa"
	"github.com/p2pcam/p2pcam/capture/alsa/alsatest"
)

func TestNegotiate(t *testing.T) {
	const S32LE = alsatest.FormatS32LE
	tests := []struct {
		name string
		dir  alsa.Direction
		caps alsatest.Caps
		ask  alsa.Params
		want alsa.Params // Format is always S16
		err  error
	}{
		{name: "exact", caps: alsatest.Caps{Rates: []int{16000, 48000}},
			ask:  alsa.Params{Rate: 16000, Channels: 1, PeriodFrames: 160, BufferFrames: 640},
			want: alsa.Params{Rate: 16000, Channels: 1, PeriodFrames: 160, BufferFrames: 640}},
		{name: "defaults", caps: alsatest.Caps{},
			want: alsa.Params{Rate: 48000, Channels: 1, PeriodFrames: 960, BufferFrames: 3840}},
		{name: "16k on a 48k-only device", caps: alsatest.Caps{Rates: []int{48000}},
			ask:  alsa.Params{Rate: 16000},
			want: alsa.Params{Rate: 48000, Channels: 1, PeriodFrames: 960, BufferFrames: 3840}},
		{name: "16k buffer and period on a 48k-only device last as long", caps: alsatest.Caps{Rates: []int{48000}},
			ask:  alsa.Params{Rate: 16000, PeriodFrames: 320, BufferFrames: 8000},
			want: alsa.Params{Rate: 48000, Channels: 1, PeriodFrames: 960, BufferFrames: 24000}},
		{name: "nearest rate below", caps: alsatest.Caps{Rates: []int{8000, 44100, 48000}},
			ask:  alsa.Params{Rate: 46000},
			want: alsa.Params{Rate: 44100, Channels: 1, PeriodFrames: 882, BufferFrames: 3528}},
		{name: "nearest rate, tie goes up", caps: alsatest.Caps{Rates: []int{8000, 24000}},
			ask:  alsa.Params{Rate: 16000},
			want: alsa.Params{Rate: 24000, Channels: 1, PeriodFrames: 480, BufferFrames: 1920}},
		{name: "stereo on a mono device", caps: alsatest.Caps{MinChannels: 1, MaxChannels: 1},
			ask:  alsa.Params{Channels: 2},
			want: alsa.Params{Rate: 48000, Channels: 1, PeriodFrames: 960, BufferFrames: 3840}},
		{name: "mono on a stereo-only device", caps: alsatest.Caps{MinChannels: 2, MaxChannels: 2},
			ask:  alsa.Params{Channels: 1},
			want: alsa.Params{Rate: 48000, Channels: 2, PeriodFrames: 960, BufferFrames: 3840}},
		{name: "six of eight channels", caps: alsatest.Caps{MinChannels: 2, MaxChannels: 8},
			ask:  alsa.Params{Channels: 6},
			want: alsa.Params{Rate: 48000, Channels: 6, PeriodFrames: 960, BufferFrames: 3840}},
		{name: "period rounded to the step, tie goes up", caps: alsatest.Caps{Rates: []int{16000}, PeriodStep: 128},
			ask:  alsa.Params{Rate: 16000, PeriodFrames: 320},
			want: alsa.Params{Rate: 16000, Channels: 1, PeriodFrames: 384, BufferFrames: 1536}},
		{name: "default period rounded to the step", caps: alsatest.Caps{Rates: []int{16000}, PeriodStep: 256},
			ask:  alsa.Params{Rate: 16000},
			want: alsa.Params{Rate: 16000, Channels: 1, PeriodFrames: 256, BufferFrames: 1024}},
		{name: "period clamped to the maximum", caps: alsatest.Caps{MaxPeriod: 256},
			ask:  alsa.Params{PeriodFrames: 1000},
			want: alsa.Params{Rate: 48000, Channels: 1, PeriodFrames: 256, BufferFrames: 1024}},
		{name: "period clamped to the minimum", caps: alsatest.Caps{MinPeriod: 1024},
			ask:  alsa.Params{PeriodFrames: 100},
			want: alsa.Params{Rate: 48000, Channels: 1, PeriodFrames: 1024, BufferFrames: 4096}},
		{name: "buffer rounded to whole periods", caps: alsatest.Caps{Rates: []int{16000}},
			ask:  alsa.Params{Rate: 16000, PeriodFrames: 320, BufferFrames: 1000},
			want: alsa.Params{Rate: 16000, Channels: 1, PeriodFrames: 320, BufferFrames: 960}},
		{name: "buffer limited to the most periods", caps: alsatest.Caps{MaxPeriods: 3},
			want: alsa.Params{Rate: 48000, Channels: 1, PeriodFrames: 960, BufferFrames: 2880}},
		{name: "buffer limited in size", caps: alsatest.Caps{MaxBuffer: 2000},
			want: alsa.Params{Rate: 48000, Channels: 1, PeriodFrames: 960, BufferFrames: 1920}},
		{name: "buffer of at least two periods", caps: alsatest.Caps{},
			ask:  alsa.Params{PeriodFrames: 480, BufferFrames: 480},
			want: alsa.Params{Rate: 48000, Channels: 1, PeriodFrames: 480, BufferFrames: 960}},
		{name: "playback starts with a full buffer", dir: alsa.Playback, caps: alsatest.Caps{},
			want: alsa.Params{Rate: 48000, Channels: 1, PeriodFrames: 960, BufferFrames: 3840, StartFrames: 3840}},
		{name: "playback start threshold", dir: alsa.Playback, caps: alsatest.Caps{},
			ask:  alsa.Params{StartFrames: 1000},
			want: alsa.Params{Rate: 48000, Channels: 1, PeriodFrames: 960, BufferFrames: 3840, StartFrames: 1000}},
		{name: "playback start threshold beyond the buffer", dir: alsa.Playback, caps: alsatest.Caps{},
			ask:  alsa.Params{StartFrames: 100000},
			want: alsa.Params{Rate: 48000, Channels: 1, PeriodFrames: 960, BufferFrames: 3840, StartFrames: 3840}},
		{name: "capture ignores the start threshold", caps: alsatest.Caps{},
			ask:  alsa.Params{StartFrames: 1000},
			want: alsa.Params{Rate: 48000, Channels: 1, PeriodFrames: 960, BufferFrames: 3840}},
		{name: "no S16", caps: alsatest.Caps{Formats: []int{S32LE}}, err: alsa.ErrUnsupported},
		{name: "mmap access only", caps: alsatest.Caps{Access: []int{alsatest.AccessMmapInterleaved}}, err: alsa.ErrUnsupported},
		{name: "negative rate", caps: alsatest.Caps{}, ask: alsa.Params{Rate: -1}, err: alsa.ErrUnsupported},
		{name: "unknown format", caps: alsatest.Caps{}, ask: alsa.Params{Format: 7}, err: alsa.ErrUnsupported},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dev := &alsatest.Device{Dir: tc.dir, ID: "pcm", Name: "PCM", Caps: tc.caps}
			_, s := newKernel(t, dev)
			pcm, err := s.Open("hw:0,0", tc.dir, tc.ask)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("Open = %v, want %v", err, tc.err)
				}
				if dev.IsOpen() {
					t.Error("device left open after a failed Open")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer pcm.Close()
			if got := pcm.Params(); got != tc.want {
				t.Errorf("Params() = %+v\n want %+v", got, tc.want)
			}
			cfg := dev.Config()
			if tc.dir == alsa.Capture {
				cfg.StartFrames = 0 // capture uses 1, which Params does not report
			}
			if cfg != tc.want {
				t.Errorf("device set up with %+v\n Params() says %+v", cfg, tc.want)
			}
			if st := dev.State(); st != "PREPARED" {
				t.Errorf("state after Open = %s, want PREPARED", st)
			}
		})
	}
}

func TestParamsHelpers(t *testing.T) {
	p := alsa.Params{Rate: 16000, Channels: 2, Format: alsa.S16, PeriodFrames: 320, BufferFrames: 1280}
	tests := []struct {
		name      string
		got, want any
	}{
		{"FrameBytes", p.FrameBytes(), 4},
		{"Duration", p.Duration(320).String(), "20ms"},
		{"Frames", p.Frames(p.Duration(1280)), 1280},
		{"String", p.String(), "S16, 16000 Hz, 2 channel(s), period 320 frames, buffer 1280 frames"},
		{"Capture", alsa.Capture.String(), "capture"},
		{"Playback", alsa.Playback.String(), "playback"},
		{"zero rate", alsa.Params{}.Duration(100).String(), "0s"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}
