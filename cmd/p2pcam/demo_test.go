package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "demo", "--listen", "127.0.0.1:0")
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	}()
	var url string
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if _, rest, ok := strings.Cut(sc.Text(), "ffplay '"); ok {
			url = strings.TrimSuffix(rest, "'")
			break
		}
	}
	if url == "" {
		t.Fatal("demo printed no URL to watch")
	}
	go io.Copy(io.Discard, stdout)
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
