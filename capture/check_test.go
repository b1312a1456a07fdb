package capture_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/p2pcam/p2pcam/capture"
)

func TestCheck(t *testing.T) {
	clip := filepath.Join(t.TempDir(), "clip.h264")
	if err := os.WriteFile(clip, []byte{0, 0, 0, 1}, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		src  capture.Checker
		ok   bool
	}{
		{"file", capture.NewFile(clip, capture.Env{}), true},
		{"missing file", capture.NewFile(clip+".nope", capture.Env{}), false},
		{"clip in memory", capture.NewClip("sim", nil, capture.Env{}), true},
		{"command on PATH", &capture.Exec{Command: "sh -c 'cat x.h264'"}, true},
		{"command by path", &capture.Exec{Command: "/bin/sh -c true"}, true},
		{"missing command", &capture.Exec{Command: "/no/such/cmd -o -"}, false},
		{"unknown program", &capture.Exec{Command: "no-such-capture-program -o -"}, false},
		{"shell decides", &capture.Exec{Command: "FPS=25 rpicam-vid -o -"}, true},
		{"shell loop", &capture.Exec{Command: "while :; do cat x.h264; done"}, true},
		{"exec", &capture.Exec{Command: "exec ffmpeg -i x"}, true},
		{"shell loop", &capture.Exec{Command: "while :; do cat x.h264; done"}, true},
		{"exec", &capture.Exec{Command: "exec ffmpeg -i x"}, true},
		{"empty", &capture.Exec{Command: "  "}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.src.Check(); (err == nil) != tt.ok {
				t.Errorf("Check() = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}
