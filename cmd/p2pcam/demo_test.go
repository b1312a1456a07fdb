//go:build !nodemo

package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/internal/mediatest"
	"github.com/p2pcam/p2pcam/mux/flv"
	"github.com/p2pcam/p2pcam/protocol"
)

// The README's first command: p2pcam demo serves a sim camera over P2P
// through its gateway, and what comes out is valid H.264 FLV.
func TestDemo(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "p2pcam")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	urls := startProcess(t, t.TempDir(), bin, []*regexp.Regexp{regexp.MustCompile(`ffplay '(\S+)'`), regexp.MustCompile(`status: +curl '(\S+)'`)},
		"demo", "--listen", "127.0.0.1:0")
	url, statusURL := urls[0], urls[1]
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	// Read until 40 video frames came, however loaded the machine is.
	const wantFrames = 40
	var got bytes.Buffer
	frames := make(chan error, 1)
	go func() {
		dm := flv.NewDemuxer(io.TeeReader(resp.Body, &got))
		if _, err := dm.ReadHeader(); err != nil {
			frames <- err
			return
		}
		for n := 0; n < wantFrames; {
			tag, err := dm.ReadTag()
			if err != nil {
				frames <- fmt.Errorf("after %d video frames: %w", n, err)
				return
			}
			if tag.Type == flv.TagTypeVideo && len(tag.Data) > 1 && tag.Data[1] == 1 { // AVC NALU, not the sequence header
				n++
			}
		}
		frames <- nil
	}()
	select {
	case err := <-frames:
		if err != nil {
			t.Fatalf("demo stream: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("demo stream: fewer than %d video frames in 30 s", wantFrames)
	}
	// The status line it prints works, through the gateway: the gateway
	// is the camera's P2P viewer.
	st, err := http.Get(statusURL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(st.Body)
	st.Body.Close()
	if r, err := protocol.DecodeReport(b); err != nil || len(r.Viewers) != 1 || r.Viewers[0].Transport != "p2p" || !r.Broker.Connected {
		t.Errorf("status through the demo's gateway: %v %s", err, b)
	}
	resp.Body.Close()
	path := mediatest.WriteTemp(t, "demo.flv", got.Bytes())
	p := mediatest.FFprobe(t, path)
	if v := p.Video(t); v.Width != 640 || v.Height != 360 || len(p.VideoPackets()) < wantFrames {
		t.Errorf("demo stream: %dx%d, %d frames; want 640x360 and at least %d", v.Width, v.Height, len(p.VideoPackets()), wantFrames)
	}
}
