//go:build linux

package alsa

import (
	"errors"
	"testing"
)

func TestParseName(t *testing.T) {
	tests := []struct {
		name string
		want hwName
		err  error
	}{
		{"hw:0", hwName{Card: "0"}, nil},
		{"hw:0,0", hwName{Card: "0"}, nil},
		{"hw:1,3", hwName{Card: "1", Device: 3}, nil},
		{"hw:Loopback,1", hwName{Card: "Loopback", Device: 1}, nil},
		{"hw:CARD=Loopback,DEV=1", hwName{Card: "Loopback", Device: 1}, nil},
		{"hw:CARD=PCH", hwName{Card: "PCH"}, nil},
		{"hw:DEV=2,CARD=1", hwName{Card: "1", Device: 2}, nil},
		{"default", hwName{Card: "0"}, nil},
		{"sysdefault", hwName{Card: "0"}, nil},
		{"hw:0,0,1", hwName{}, ErrBadName},
		{"hw:CARD=0,SUBDEV=1", hwName{}, ErrBadName},
		{"hw:0,-1", hwName{}, ErrBadName},
		{"hw:0,256", hwName{}, ErrBadName},
		{"hw:0,x", hwName{}, ErrBadName},
		{"hw:", hwName{}, ErrBadName},
		{"hw:,0", hwName{}, ErrBadName},
		{"hw:Bad Name,0", hwName{}, ErrBadName},
		{"hw:FOO=1", hwName{}, ErrBadName},
		{"plughw:0,0", hwName{}, ErrBadName},
		{"dmix", hwName{}, ErrBadName},
		{"", hwName{}, ErrBadName},
	}
	for _, tc := range tests {
		got, err := parseName(tc.name)
		if !errors.Is(err, tc.err) || got != tc.want {
			t.Errorf("parseName(%q) = %+v, %v; want %+v, %v", tc.name, got, err, tc.want, tc.err)
		}
	}
}

func TestPCMFile(t *testing.T) {
	tests := []struct {
		card, dev int
		dir       Direction
		want      string
	}{
		{0, 0, Capture, "pcmC0D0c"},
		{1, 3, Playback, "pcmC1D3p"},
		{12, 10, Capture, "pcmC12D10c"},
	}
	for _, tc := range tests {
		if got := pcmFile(tc.card, tc.dev, tc.dir); got != tc.want {
			t.Errorf("pcmFile(%d, %d, %v) = %s, want %s", tc.card, tc.dev, tc.dir, got, tc.want)
		}
	}
}

func FuzzParseName(f *testing.F) {
	for _, s := range []string{"hw:0,0", "hw:CARD=Loopback,DEV=1", "plughw:1", "hw:a,b,c", "default"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseName(s)
		if err != nil {
			if !errors.Is(err, ErrBadName) {
				t.Fatalf("parseName(%q) = %v, not ErrBadName", s, err)
			}
			return
		}
		if !validCard(n.Card) || n.Device < 0 || n.Device > 255 {
			t.Fatalf("parseName(%q) = %+v", s, n)
		}
	})
}
