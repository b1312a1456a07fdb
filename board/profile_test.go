package board

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/p2pcam/p2pcam/media"
)

// Every profile is well-formed data.
func TestProfiles(t *testing.T) {
	names := map[string]bool{}
	for _, p := range profiles() {
		if p.Name == "" || p.Name == Auto || names[p.Name] {
			t.Errorf("bad or duplicate name %q", p.Name)
		}
		names[p.Name] = true
		if p.Description == "" || p.Encoder == "" {
			t.Errorf("%s: no description or encoder", p.Name)
		}
		if len(p.Streams) == 0 {
			t.Errorf("%s: no streams", p.Name)
		}
		for q, spec := range p.Streams {
			if _, err := media.ParseQuality(string(q)); err != nil {
				t.Errorf("%s: %v", p.Name, err)
			}
			kind, _, _ := strings.Cut(spec, ":")
			if !slices.Contains([]string{"sim", "file", "exec", "v4l2"}, kind) {
				t.Errorf("%s: stream %s: spec %q of unknown kind", p.Name, q, spec)
			}
		}
		lines := map[string]bool{}
		for _, g := range []GPIO{p.StatusLED, p.IRCut, p.LightSensor} {
			if !g.Present() {
				continue
			}
			key := fmt.Sprintf("%s:%d", g.Chip, g.Line)
			if lines[key] || g.Line < 0 {
				t.Errorf("%s: GPIO %s used twice or negative", p.Name, key)
			}
			lines[key] = true
		}
		for _, pat := range append(slices.Clone(p.Model), p.Compatible...) {
			if _, err := path.Match(pat, ""); err != nil {
				t.Errorf("%s: bad pattern %q: %v", p.Name, pat, err)
			}
		}
		for _, a := range []string{p.AudioCapture, p.AudioPlayback} {
			if a != "" && a != "sim" && a != "null" && !strings.HasPrefix(a, "hw:") {
				t.Errorf("%s: ALSA name %q is not hw:...", p.Name, a)
			}
		}
	}
	for _, want := range []string{"sim", "rpi4", "rpi5", "uvc", "qemu-virt"} {
		if !names[want] {
			t.Errorf("no %s profile", want)
		}
	}
}

// No device-tree model matches two profiles.
func TestModelsUnambiguous(t *testing.T) {
	models := []string{
		"Raspberry Pi 4 Model B Rev 1.4", "Raspberry Pi Compute Module 4 Rev 1.0",
		"Raspberry Pi 5 Model B Rev 1.0", "Raspberry Pi Compute Module 5 Rev 1.0",
		"linux,dummy-virt", "Raspberry Pi 400 Rev 1.0", "Raspberry Pi 500 Rev 1.0",
	}
	for _, m := range models {
		var hits []string
		for _, p := range profiles() {
			if _, ok := matchAny(p.Model, m); ok {
				hits = append(hits, p.Name)
			}
		}
		if len(hits) > 1 {
			t.Errorf("model %q matches %v", m, hits)
		}
	}
}

// The qemu-virt board's speaker and microphone are the two ends of one
// snd-aloop cable (the same card, PCM devices 0 and 1), so that what
// talkback plays comes back in the live stream.
func TestQEMUVirtAudioLoopsBack(t *testing.T) {
	p, err := Lookup("qemu-virt")
	if err != nil {
		t.Fatal(err)
	}
	split := func(name string) (card, dev string) {
		card, dev, _ = strings.Cut(strings.TrimPrefix(name, "hw:"), ",")
		return card, dev
	}
	spkCard, spkDev := split(p.AudioPlayback)
	micCard, micDev := split(p.AudioCapture)
	if spkCard != "Loopback" || micCard != spkCard {
		t.Errorf("speaker %q and microphone %q: want both on card Loopback", p.AudioPlayback, p.AudioCapture)
	}
	if ends := spkDev + micDev; ends != "01" && ends != "10" {
		t.Errorf("speaker %q and microphone %q: want PCM devices 0 and 1, the two ends of a cable", p.AudioPlayback, p.AudioCapture)
	}
}
