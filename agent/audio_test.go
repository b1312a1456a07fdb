package agent

import (
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/capture/alsa"
	"github.com/p2pcam/p2pcam/capture/alsa/alsatest"
)

// The microphone and speaker come from the config, else from the board
// profile, else ALSA's default.
func TestSoundDevices(t *testing.T) {
	tests := []struct {
		name     string
		board    string
		cfg      AudioConfig
		mic, spk string
	}{
		{"sim board", "sim", AudioConfig{}, "sim", "null"},
		{"qemu-virt board: the loopback's two ends", "qemu-virt", AudioConfig{}, "hw:Loopback,1", "hw:Loopback,0"},
		{"rpi4 board", "rpi4", AudioConfig{}, "hw:CARD=Device,DEV=0", "hw:CARD=Headphones,DEV=0"},
		{"config wins", "qemu-virt", AudioConfig{Microphone: "hw:2,0", Speaker: "wav:/tmp/x.wav"}, "hw:2,0", "wav:/tmp/x.wav"},
		{"config turns them off", "sim", AudioConfig{Microphone: "off", Speaker: "off"}, "off", "off"},
		{"unknown board: ALSA's default", "nosuch", AudioConfig{}, "default", "default"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mic, spk := soundDevices(tt.cfg, tt.board)
			if mic != tt.mic || spk != tt.spk {
				t.Errorf("soundDevices = %q, %q; want %q, %q", mic, spk, tt.mic, tt.spk)
			}
		})
	}
}

// The microphone rides out a capture loop held up for 300 ms without an
// overrun: nothing is lost.
func TestMicrophoneRidesOutAStall(t *testing.T) {
	const speed = 10 // the fake sound card's clock runs 10 times as fast
	mic := alsatest.NewMic(micParams.Rate, micParams.Channels, nil)
	mic.Speed = speed
	k := alsatest.NewKernel(t.TempDir())
	k.AddCard(alsa.Card{Index: 0, ID: "Mic", Driver: "USB-Audio", Name: "Mic", LongName: "USB Mic"}, mic)
	pcm, err := k.Scanner().Open("hw:0,0", alsa.Capture, micParams)
	if err != nil {
		t.Fatal(err)
	}
	defer pcm.Close()
	buf := make([]int16, pcm.Params().PeriodFrames*pcm.Params().Channels)
	if _, err := pcm.Read(buf); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond / speed) // the stall
	for range 20 {
		if _, err := pcm.Read(buf); err != nil {
			t.Fatal(err)
		}
	}
	if n := pcm.XRuns(); n != 0 {
		t.Errorf("%d overruns after a 300 ms stall with a buffer of %v", n, pcm.Params().Duration(pcm.Params().BufferFrames))
	}
}
