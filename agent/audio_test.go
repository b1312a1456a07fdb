package agent

import "testing"

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
