package main

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// A source that cannot capture is named at start, and a viewer of it
// gets an error status that says why, not 200 and no video.
func TestMissingSources(t *testing.T) {
	tests := []struct {
		name, spec, says string
	}{
		{"file", "file:/nonexistent/clip.h264", "no such file"},
		{"command", "exec:/no/such/cmd --flag", "/no/such/cmd"},
		{"program not on PATH", "exec:no-such-capture-program -o -", "executable file not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := startDaemon(t, "[streams]\nhigh = \""+tt.spec+"\"\n")
			if _, ok := d.waitLog(5*time.Second, "stream cannot capture now", tt.says); !ok {
				t.Errorf("no warning at start naming %q:\n%s", tt.says, d.logs)
			}
			code, body := d.get(t, "ipc.flv?action=live&channel=0&quality=high")
			if code != http.StatusServiceUnavailable || !strings.Contains(body, tt.says) || !strings.Contains(body, `"status":"1"`) {
				t.Errorf("viewer: %d %q, want 503 naming %q", code, body, tt.says)
			}
		})
	}
}
