package rtmp

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/internal/mediatest"
	"github.com/p2pcam/p2pcam/internal/nginxtest"
)

// testClip makes 2 s of H.264 (no B-frames) and AAC-LC as FLV with ffmpeg.
func testClip(t *testing.T) []byte {
	t.Helper()
	ffmpeg := mediatest.Require(t, "ffmpeg")
	out := filepath.Join(t.TempDir(), "clip.flv")
	cmd := exec.Command(ffmpeg, "-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=16000",
		"-t", "2", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-profile:v", "baseline", "-g", "25", "-c:a", "aac", "-ac", "1", "-f", "flv", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// onPlay answers nginx's on_play: 2xx for token=good, 403 otherwise.
// It counts the refusals in refused.
func onPlay(t *testing.T, refused *atomic.Int32) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ParseForm() == nil && r.Form.Get("token") == "good" && r.Form.Get("name") == "cam" {
			return
		}
		refused.Add(1)
		http.Error(w, "bad token", http.StatusForbidden)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/on_play" // nginx-rtmp needs a path
}

func TestPublishPlayNginx(t *testing.T) {
	clip := testClip(t)
	var refused atomic.Int32
	relay := nginxtest.Start(t, nginxtest.Config{OnPlay: onPlay(t, &refused)})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	pub, err := Publish(ctx, relay.URL("cam"))
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	player, err := Play(ctx, relay.URL("cam?token=good"))
	if err != nil {
		t.Fatal(err)
	}
	defer player.Close()
	_ = player.SetReadDeadline(time.Now().Add(20 * time.Second))
	var got bytes.Buffer
	copied := make(chan error, 1)
	go func() { _, err := CopyFLV(&got, player); copied <- err }()

	// Publish the clip through FLVWriter in odd-sized pieces, as a
	// muxer's writes cut it anywhere.
	fw := NewFLVWriter(pub)
	sent := 0
	for rest := clip; len(rest) > 0; sent++ {
		n := min(len(rest), 1+sent*997%5000)
		if _, err := fw.Write(rest[:n]); err != nil {
			t.Fatal(err)
		}
		rest = rest[n:]
	}
	// Ending the publish ends the play (idle_streams off).
	pub.Close()
	select {
	case err := <-copied:
		if err != nil {
			t.Fatalf("play: %v", err)
		}
	case <-ctx.Done():
		t.Fatal("the player did not end after the publisher left")
	}
	path := mediatest.WriteTemp(t, "played.flv", got.Bytes())
	p := mediatest.FFprobe(t, path)
	if v := p.Video(t); v.CodecName != "h264" || v.Width != 320 {
		t.Errorf("video %+v, want h264 320x240", v)
	}
	if a := p.Audio(t); a.CodecName != "aac" {
		t.Errorf("audio %+v, want aac", a)
	}
	if n := len(p.VideoPackets()); n < 40 {
		t.Errorf("%d video packets played of 50 sent", n)
	}
	mediatest.CheckDecodes(t, path)
	t.Logf("sent in %d writes, played %d bytes", sent, got.Len())
}

func TestPlayBadTokenRefused(t *testing.T) {
	var refused atomic.Int32
	relay := nginxtest.Start(t, nginxtest.Config{OnPlay: onPlay(t, &refused)})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	pub, err := Publish(ctx, relay.URL("cam"))
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	for _, url := range []string{relay.URL("cam?token=bad"), relay.URL("cam")} {
		c, err := Play(ctx, url)
		if err == nil {
			c.Close()
			t.Fatalf("play %s: no error", url)
		}
		if !errors.Is(err, ErrRefused) {
			t.Fatalf("play %s: %v, want ErrRefused", url, err)
		}
	}
	if n := refused.Load(); n != 2 {
		t.Fatalf("on_play refused %d plays, want 2", n)
	}
}
