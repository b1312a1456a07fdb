package main

import (
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/internal/mediatest"
)

// The README's first command: p2pcam demo serves a sim camera over P2P
// through its gateway, and what comes out is valid H.264 FLV.
func TestDemo(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "p2pcam")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	url := startProcess(t, t.TempDir(), bin, []*regexp.Regexp{regexp.MustCompile(`ffplay '(\S+)'`)}, "demo", "--listen", "127.0.0.1:0")[0]
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	body := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(resp.Body)
		body <- b
	}()
	time.Sleep(3 * time.Second)
	resp.Body.Close()
	path := mediatest.WriteTemp(t, "demo.flv", <-body)
	p := mediatest.FFprobe(t, path)
	if v := p.Video(t); v.Width != 640 || v.Height != 360 || len(p.VideoPackets()) < 40 {
		t.Errorf("demo stream: %dx%d, %d frames; want 640x360 and at least 40", v.Width, v.Height, len(p.VideoPackets()))
	}
}
