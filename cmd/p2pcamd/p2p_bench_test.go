package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/cloud"
	"github.com/p2pcam/p2pcam/internal/mediatest"
	"github.com/p2pcam/p2pcam/link"
	"github.com/p2pcam/p2pcam/signal"
	"github.com/p2pcam/p2pcam/viewer"
)

// BenchmarkP2PCPUPerViewer runs p2pcamd with a 4 Mbps 720p stream and
// four P2P viewers (DTLS and SCTP on loopback) for 10 s, and reports the
// daemon's CPU per viewer as a percentage of one core, capture included.
// The flv viewers take FLV on a data channel (ipc.flv); the tracks
// viewers take RTP on WebRTC media tracks (ipc.track: SRTP over UDP).
//
//	go test -run X -bench P2PCPUPerViewer -benchtime 1x ./cmd/p2pcamd/
func BenchmarkP2PCPUPerViewer(b *testing.B) {
	b.Run("flv", func(b *testing.B) { benchP2PCPUPerViewer(b, false) })
	b.Run("tracks", func(b *testing.B) { benchP2PCPUPerViewer(b, true) })
}

func benchP2PCPUPerViewer(b *testing.B, tracks bool) {
	const viewers, watch = 4, 10 * time.Second
	ffmpeg := mediatest.Require(b, "ffmpeg")
	dir := b.TempDir()
	clip := filepath.Join(dir, "4mbps.h264")
	out, err := exec.Command(ffmpeg, "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25", "-t", "12",
		"-c:v", "libx264", "-profile:v", "baseline", "-bf", "0", "-g", "25", "-b:v", "4M", "-maxrate", "4M", "-bufsize", "2M",
		"-f", "h264", clip).CombinedOutput()
	if err != nil {
		b.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	users, _ := cloud.AddUser(nil, "bench/cam", cloud.RoleDevice, "pw-cam")
	users, _ = cloud.AddUser(users, "bench", cloud.RoleViewer, "pw-view")
	c, err := cloud.Start(cloud.Config{
		MQTT: cloud.BrokerConfig{Listen: "127.0.0.1:0", Users: users}, TURN: cloud.TURNConfig{Listen: "127.0.0.1:0"},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	pub, issuer, _ := ed25519.GenerateKey(rand.Reader)
	cfg := fmt.Sprintf("device = \"bench/cam\"\nmax_viewers = 8\n[streams]\nsuper = \"file:%s\"\n[auth]\ntrusted_keys = [%q]\ndevice_key = %q\n[p2p]\nbroker = %q\npassword = \"pw-cam\"\n",
		clip, auth.MarshalPublicKey(pub), filepath.Join(dir, "device.key"), c.Endpoints().MQTT)
	for b.Loop() {
		d := startDaemon(b, cfg)
		now := time.Now()
		tok, _ := auth.Sign(issuer, auth.Claims{Device: "bench/cam", Subject: "bench", Perms: auth.PermLive, IssuedAt: now, Expiry: now.Add(time.Hour)})
		id, _ := signal.ParseDeviceID("bench/cam")
		var conns []*viewer.Conn
		var total int64
		var mu sync.Mutex
		countRTP := func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
			for {
				p, _, err := tr.ReadRTP()
				if err != nil {
					return
				}
				mu.Lock()
				total += int64(len(p.Payload))
				mu.Unlock()
			}
		}
		for range viewers {
			var conn *viewer.Conn
			for range 50 {
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				conn, err = viewer.Dial(ctx, viewer.Config{Broker: c.Endpoints().MQTT, Username: "bench", Password: "pw-view",
					Device: id, Token: tok, Link: link.Options{LoopbackOnly: true}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
					Tracks: tracks, OnTrack: countRTP})
				cancel()
				if err == nil {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			if err != nil {
				b.Fatal(err)
			}
			conns = append(conns, conn)
		}
		pid := d.cmd.Process.Pid
		cpu0, _ := procCPU(pid)
		start := time.Now()
		var wg sync.WaitGroup
		for _, conn := range conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx, cancel := context.WithTimeout(context.Background(), watch+5*time.Second)
				defer cancel()
				line := "ipc.flv?action=live&channel=0&quality=super"
				if tracks {
					line = "ipc.track?action=live&channel=0&quality=super"
				}
				resp, err := conn.Request(ctx, line)
				if err != nil {
					b.Error(err)
					return
				}
				time.AfterFunc(watch, func() { resp.Body.Close() })
				n, _ := io.Copy(io.Discard, resp.Body)
				mu.Lock()
				total += n
				mu.Unlock()
			}()
		}
		wg.Wait()
		cpu, _ := procCPU(pid)
		wall := time.Since(start)
		for _, conn := range conns {
			conn.Close()
		}
		b.ReportMetric(100*(cpu-cpu0).Seconds()/wall.Seconds()/viewers, "cpu%/viewer")
		b.ReportMetric(float64(total)*8/wall.Seconds()/viewers/1e6, "Mbps/viewer")
	}
}
