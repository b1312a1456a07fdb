package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/cloud"
	"github.com/p2pcam/p2pcam/internal/nginxtest"
	"github.com/p2pcam/p2pcam/mux/flv"
	"github.com/p2pcam/p2pcam/mux/rtmp"
	"github.com/p2pcam/p2pcam/protocol"
	"github.com/p2pcam/p2pcam/relay"
	"github.com/p2pcam/p2pcam/viewer"
)

// relayViewers is how many viewers BenchmarkRelay plays from the relay.
const relayViewers = 200

// BenchmarkRelay runs p2pcamd (sim board, max_viewers 1) with a real
// nginx-rtmp relay and the dev cloud's on_play, one direct LAN viewer
// taking the camera's one slot, then:
//
//   - redirect_ms: from an over-limit request to the first video frame
//     from the relay, through the SDK (viewer.Live): cold (the push
//     starts) and warm (it runs; nginx's wait_key holds a new player to
//     the next keyframe), median of 5;
//   - 200 RTMP players of the relay for 10 s: how many got video, their
//     frame rates (min and median), nginx's output bit rate;
//   - p2pcamd's CPU (% of one core) with the direct viewer alone, and
//     with the push and the 200 relay viewers; nginx's CPU.
//
// Run: go test -run X -bench BenchmarkRelay -benchtime 1x ./cmd/p2pcamd/
func BenchmarkRelay(b *testing.B) {
	for b.Loop() {
		benchRelay(b)
	}
}

func benchRelay(b *testing.B) {
	const device = "acme/cam1"
	pub, issuer, _ := ed25519.GenerateKey(rand.Reader)
	users, _ := cloud.AddUser(nil, device, cloud.RoleDevice, "pw")
	users, _ = cloud.AddUser(users, "alice", cloud.RoleViewer, "pw")
	dir, _ := cloud.Directory{Users: users}.WithShare(device, "alice", auth.PermLive)
	master := make([]byte, 32)
	_, _ = rand.Read(master)
	c, err := cloud.Start(cloud.Config{Directory: dir, RelaySecret: master, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		MQTT: cloud.BrokerConfig{Listen: "127.0.0.1:0"}, TURN: cloud.TURNConfig{Listen: "127.0.0.1:0"}})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	api := httptest.NewServer(c.Handler())
	defer api.Close()
	nginx := nginxtest.Start(b, nginxtest.Config{OnPlay: api.URL + cloud.RelayOnPlayPath})

	cfg := fmt.Sprintf("device = %q\nmax_viewers = 1\n[auth]\ntrusted_keys = [%q]\ndevice_key = %q\n"+
		"[relay]\nurl = %q\nstat_url = %q\nsecret = %q\n",
		device, auth.MarshalPublicKey(pub), filepath.Join(b.TempDir(), "device.key"),
		"rtmp://"+nginx.RTMPAddr+"/live", nginx.StatURL(), relay.SecretString(relay.DeviceSecret(master, device)))
	d := startDaemon(b, cfg)
	now := time.Now()
	tok, _ := auth.Sign(issuer, auth.Claims{Device: device, Subject: "alice", Perms: auth.PermLive, IssuedAt: now, Expiry: now.Add(time.Hour)})
	lan := &viewer.LAN{Base: "http://" + d.addr, Token: tok}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	direct, err := viewer.LiveResponse(ctx, lan, 0, "high", tok)
	if err != nil || direct.Head.Location != "" {
		b.Fatalf("direct viewer: %v %+v", err, direct)
	}
	defer direct.Body.Close()
	go io.Copy(io.Discard, direct.Body) //nolint:errcheck // until the benchmark ends
	pid := d.cmd.Process.Pid
	cpuDirect := cpuOver(b, pid, 5*time.Second)

	// Redirect to first frame, cold: this request starts the push.
	cold, first := firstRelayFrame(ctx, b, lan, tok)
	defer first.Close()
	go io.Copy(io.Discard, first) //nolint:errcheck // keeps the push alive
	var warm []time.Duration
	for range 5 {
		// A random pause, so that the samples do not lock to the GOP.
		time.Sleep(time.Duration(mrand.Int64N(int64(time.Second)))) // spreading samples, not waiting for a condition
		w, body := firstRelayFrame(ctx, b, lan, tok)
		body.Close()
		warm = append(warm, w)
	}
	slices.Sort(warm)

	// 200 relay viewers, on the ticket of one redirect (it lasts a minute).
	raw, err := lan.Request(ctx, "ipc.flv?action=live&channel=0&quality=high")
	if err != nil || raw.Status != protocol.StatusRedirect {
		b.Fatalf("redirect: %v %+v", err, raw)
	}
	body, _ := io.ReadAll(raw.Body)
	raw.Body.Close()
	red, err := protocol.ParseRedirect(body)
	if err != nil {
		b.Fatal(err)
	}
	frames := make([]int, relayViewers)
	var wg sync.WaitGroup
	window := 10 * time.Second
	start := make(chan struct{})
	for i := range relayViewers {
		conn, err := rtmp.Play(ctx, red.URL)
		if err != nil {
			b.Fatalf("relay viewer %d: %v", i, err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer conn.Close()
			_ = conn.SetReadDeadline(time.Now().Add(3 * window)) // ramp-up, then the window
			var end time.Time
			for {
				t, err := conn.ReadTag()
				if err != nil {
					return
				}
				if end.IsZero() {
					select {
					case <-start: // count from here, for the window
						end = time.Now().Add(window)
					default:
						continue
					}
				}
				if time.Now().After(end) {
					return
				}
				if t.Type == flv.TagTypeVideo && len(t.Data) > 1 && t.Data[1] == 1 { // AVC NALU, not the sequence header
					frames[i]++
				}
			}
		}()
	}
	time.Sleep(2 * time.Second) // the players drain what queued while the others connected
	cam0, _ := procCPU(pid)
	ngx0, _ := procCPU(nginx.PID)
	bytes0 := nginxBytesOut(b, nginx.StatURL())
	close(start)
	t0 := time.Now()
	wg.Wait()
	el := time.Since(t0)
	cam1, _ := procCPU(pid)
	ngx1, _ := procCPU(nginx.PID)
	bytes1 := nginxBytesOut(b, nginx.StatURL())

	fps := make([]float64, relayViewers)
	got := 0
	for i, n := range frames {
		fps[i] = float64(n) / window.Seconds()
		if n > 0 {
			got++
		}
	}
	slices.Sort(fps)
	b.ReportMetric(float64(got), "relay_viewers_with_video")
	b.ReportMetric(fps[0], "min_fps")
	b.ReportMetric(fps[len(fps)/2], "median_fps")
	b.ReportMetric(float64(bytes1-bytes0)*8/el.Seconds()/1e6, "nginx_out_Mbps")
	b.ReportMetric(cpuDirect, "camera_cpu_%_direct_only")
	b.ReportMetric(100*float64(cam1-cam0)/float64(el), "camera_cpu_%_with_push")
	b.ReportMetric(100*float64(ngx1-ngx0)/float64(el), "nginx_cpu_%")
	b.ReportMetric(float64(cold.Milliseconds()), "redirect_first_frame_cold_ms")
	b.ReportMetric(float64(warm[len(warm)/2].Milliseconds()), "redirect_first_frame_warm_ms")
	b.ReportMetric(float64(warm[len(warm)-1].Milliseconds()), "redirect_first_frame_warm_max_ms")
}

// cpuOver returns pid's CPU use over d, in % of one core.
func cpuOver(b *testing.B, pid int, d time.Duration) float64 {
	c0, err := procCPU(pid)
	if err != nil {
		b.Fatal(err)
	}
	t0 := time.Now()
	time.Sleep(d) // measuring over a time window, not waiting for a condition
	c1, _ := procCPU(pid)
	return 100 * float64(c1-c0) / float64(time.Since(t0))
}

// firstRelayFrame asks for a live stream over the limit, follows the
// redirect and returns the time to the first video frame from the relay,
// and the body, still playing.
func firstRelayFrame(ctx context.Context, b *testing.B, lan *viewer.LAN, tok string) (time.Duration, io.ReadCloser) {
	t0 := time.Now()
	resp, err := viewer.LiveResponse(ctx, lan, 0, "high", tok)
	if err != nil {
		b.Fatal(err)
	}
	if resp.Head.Location == "" {
		b.Fatal("not sent to the relay")
	}
	dm := flv.NewDemuxer(resp.Body)
	if _, err := dm.ReadHeader(); err != nil {
		b.Fatal(err)
	}
	for {
		t, err := dm.ReadTag()
		if err != nil {
			b.Fatal(err)
		}
		if t.Type == flv.TagTypeVideo && len(t.Data) > 1 && t.Data[1] == 1 {
			return time.Since(t0), resp.Body
		}
	}
}

var bytesOutRE = regexp.MustCompile(`<bytes_out>(\d+)</bytes_out>`)

// nginxBytesOut reads nginx-rtmp's total bytes sent from its stat page.
func nginxBytesOut(b *testing.B, statURL string) int64 {
	resp, err := http.Get(statURL)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	m := bytesOutRE.FindSubmatch(page)
	if m == nil {
		b.Fatalf("no bytes_out on the stat page")
	}
	n, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return n
}
