//go:build linux

package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestListDevices runs p2pcamd --list-devices on this host: it prints
// both sections and exits 0 whether or not the host has cameras or sound
// cards (the QEMU rig checks it against vivid and snd-aloop).
func TestListDevices(t *testing.T) {
	out, err := exec.Command(daemonBinary(t), "--list-devices").Output()
	if err != nil {
		t.Fatalf("p2pcamd --list-devices: %v\n%s", err, out)
	}
	for _, want := range []string{"== V4L2 devices", "== ALSA PCM devices", "v4l2:/dev/video0?"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
