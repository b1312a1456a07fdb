//go:build linux

package alsa

import (
	"os"
	"slices"
	"strings"
	"testing"
)

func TestParseCards(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []Card
	}{
		{"none", "--- no soundcards ---\n", nil},
		{"empty", "", nil},
		{"two", ` 0 [PCH            ]: HDA-Intel - HDA Intel PCH
                      HDA Intel PCH at 0xf7f10000 irq 32
 1 [Loopback       ]: Loopback - Loopback
                      Loopback 1
`, []Card{
			{Index: 0, ID: "PCH", Driver: "HDA-Intel", Name: "HDA Intel PCH", LongName: "HDA Intel PCH at 0xf7f10000 irq 32"},
			{Index: 1, ID: "Loopback", Driver: "Loopback", Name: "Loopback", LongName: "Loopback 1"},
		}},
		{"long id, two-digit index, dash in the name", `10 [VeryLongCardId1]: USB-Audio - USB - Audio - Device
                      Generic USB Audio at usb-1
`, []Card{{Index: 10, ID: "VeryLongCardId1", Driver: "USB-Audio", Name: "USB - Audio - Device", LongName: "Generic USB Audio at usb-1"}}},
		{"no long name line", " 0 [A              ]: drv - name\n 1 [B              ]: drv - other\n", []Card{
			{Index: 0, ID: "A", Driver: "drv", Name: "name"},
			{Index: 1, ID: "B", Driver: "drv", Name: "other"},
		}},
		{"garbage", "x [y]: z\n 0 [ ]: a - b\n-1 [c]: d - e\n", nil},
	}
	for _, tc := range tests {
		if got := parseCards(tc.text); !slices.Equal(got, tc.want) {
			t.Errorf("%s: parseCards =\n%+v\nwant\n%+v", tc.name, got, tc.want)
		}
	}
}

func TestParsePCMs(t *testing.T) {
	dev := func(card, d int, id, name string, play, capt int) DeviceInfo {
		return DeviceInfo{Card: Card{Index: card}, Device: d, ID: id, Name: name, Playback: play, Capture: capt}
	}
	tests := []struct {
		name string
		text string
		want []DeviceInfo
	}{
		{"empty", "", nil},
		{"typical", `00-00: ALC892 Analog : ALC892 Analog : playback 1 : capture 1
00-03: HDMI 0 : HDMI 0 : playback 1
01-00: Loopback PCM : Loopback PCM : playback 8 : capture 8
02-00: USB Audio : USB Audio : capture 1
`, []DeviceInfo{
			dev(0, 0, "ALC892 Analog", "ALC892 Analog", 1, 1),
			dev(0, 3, "HDMI 0", "HDMI 0", 1, 0),
			dev(1, 0, "Loopback PCM", "Loopback PCM", 8, 8),
			dev(2, 0, "USB Audio", "USB Audio", 0, 1),
		}},
		{"separator in the name", "00-01: id : a : b : capture 2\n", []DeviceInfo{dev(0, 1, "id", "a : b", 0, 2)}},
		{"no streams", "03-04: id : name\n", []DeviceInfo{dev(3, 4, "id", "name", 0, 0)}},
		{"name looks like a stream", "00-00: id : capture x : playback 1\n", []DeviceInfo{dev(0, 0, "id", "capture x", 1, 0)}},
		{"garbage", "hello\n0-: x\n-1-00: y : z\n", nil},
	}
	for _, tc := range tests {
		if got := parsePCMs(tc.text); !slices.Equal(got, tc.want) {
			t.Errorf("%s: parsePCMs =\n%+v\nwant\n%+v", tc.name, got, tc.want)
		}
	}
}

// TestParseSamples parses the procfs files of testdata, written in the
// kernel's format for a desktop with HDA, snd-aloop and a USB microphone.
func TestParseSamples(t *testing.T) {
	cards, err := os.ReadFile("testdata/cards.txt")
	if err != nil {
		t.Fatal(err)
	}
	pcm, err := os.ReadFile("testdata/pcm.txt")
	if err != nil {
		t.Fatal(err)
	}
	c, p := parseCards(string(cards)), parsePCMs(string(pcm))
	if len(c) != 3 || c[2].ID != "Device" || c[2].Driver != "USB-Audio" {
		t.Errorf("cards: %+v", c)
	}
	if len(p) != 6 || p[5].Card.Index != 2 || p[5].Capture != 1 {
		t.Errorf("pcm: %+v", p)
	}
}

func FuzzParseCards(f *testing.F) {
	if b, err := os.ReadFile("testdata/cards.txt"); err == nil {
		f.Add(string(b))
	}
	f.Add(" 0 [Loopback       ]: Loopback - Loopback\n                      Loopback 1\n")
	f.Add("--- no soundcards ---\n")
	f.Fuzz(func(t *testing.T, text string) {
		for _, c := range parseCards(text) {
			if c.Index < 0 || c.ID == "" || strings.Contains(c.ID, "\n") || strings.Contains(c.LongName, "\n") {
				t.Fatalf("parseCards(%q) gave %+v", text, c)
			}
		}
	})
}

func FuzzParsePCMs(f *testing.F) {
	if b, err := os.ReadFile("testdata/pcm.txt"); err == nil {
		f.Add(string(b))
	}
	f.Add("00-00: id : name : playback 1 : capture 1\n")
	f.Fuzz(func(t *testing.T, text string) {
		for _, d := range parsePCMs(text) {
			if d.Card.Index < 0 || d.Device < 0 || d.Playback < 0 || d.Capture < 0 || strings.Contains(d.Name, "\n") {
				t.Fatalf("parsePCMs(%q) gave %+v", text, d)
			}
		}
	})
}
