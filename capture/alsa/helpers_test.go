//go:build linux

package alsa_test

import (
	"testing"

	"github.com/p2pcam/p2pcam/capture/alsa"
	"github.com/p2pcam/p2pcam/capture/alsa/alsatest"
)

// loopback is the card the tests plug their devices into.
var loopback = alsa.Card{Index: 0, ID: "Loopback", Driver: "Loopback", Name: "Loopback", LongName: "Loopback 1"}

// newKernel returns a fake kernel with devs on card 0.
func newKernel(t *testing.T, devs ...*alsatest.Device) (*alsatest.Kernel, alsa.Scanner) {
	t.Helper()
	k := alsatest.NewKernel(t.TempDir())
	k.AddCard(loopback, devs...)
	return k, k.Scanner()
}

// open opens name on s and closes it at the end of the test.
func open(t *testing.T, s alsa.Scanner, name string, dir alsa.Direction, p alsa.Params) *alsa.PCM {
	t.Helper()
	pcm, err := s.Open(name, dir, p)
	if err != nil {
		t.Fatalf("Open(%q, %v, %+v): %v", name, dir, p, err)
	}
	t.Cleanup(func() { _ = pcm.Close() })
	return pcm
}

// ramp returns n frames of ch channels whose samples count up, each
// channel offset by 10000.
func ramp(n, ch int) []int16 {
	s := make([]int16, n*ch)
	for i := range n {
		for c := range ch {
			s[i*ch+c] = int16(i%10000 + 10000*c)
		}
	}
	return s
}

func count(calls []string, name string) int {
	n := 0
	for _, c := range calls {
		if c == name {
			n++
		}
	}
	return n
}
