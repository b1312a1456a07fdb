package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/protocol"
)

// status asks the daemon's status command over LAN mode.
func status(t *testing.T, d *daemon) protocol.Report {
	t.Helper()
	code, body := d.get(t, protocol.StatusRequest)
	if code != http.StatusOK {
		t.Fatalf("status: %d %s", code, body)
	}
	r, err := protocol.DecodeReport([]byte(body))
	if err != nil {
		t.Fatalf("status: %v\n%s", err, body)
	}
	return r
}

// waitStatus asks for the status until ok accepts it, for up to 20 s.
func waitStatus(t *testing.T, d *daemon, what string, ok func(protocol.Report) bool) protocol.Report {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		r := status(t, d)
		if ok(r) {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("no status with %s within 20 s; the last: %+v", what, r)
		}
		time.Sleep(200 * time.Millisecond) // polling a condition, bounded by the deadline
	}
}

func streamOf(r protocol.Report, q string) protocol.StreamReport {
	for _, s := range r.Streams {
		if s.Quality == q {
			return s
		}
	}
	return protocol.StreamReport{}
}

// The status command lists the LAN viewer with its stream's bit rate and
// bytes, and the streams with their state, size, rate and subscribers.
func TestStatusOverLAN(t *testing.T) {
	d := startDaemon(t, "")
	idle := status(t, d)
	if len(idle.Viewers) != 0 || len(idle.Streams) != 3 || idle.Board != "sim" || idle.Broker.Enabled || idle.MaxViewers != 4 {
		t.Fatalf("idle camera's status: %+v", idle)
	}
	for _, s := range idle.Streams {
		if s.State != protocol.StreamIdle || s.Subscribers != 0 {
			t.Errorf("stream %s before any viewer: %+v, want idle", s.Quality, s)
		}
	}

	viewer := openViewer(t, d, "high")
	go io.Copy(io.Discard, viewer.Body) //nolint:errcheck // read until the test closes it
	r := waitStatus(t, d, "the high stream at its frame rate", func(r protocol.Report) bool {
		s := streamOf(r, "high")
		return len(r.Viewers) == 1 && s.State == protocol.StreamRunning && s.FPS >= 20 && s.FPS <= 30 && r.Viewers[0].BitrateBPS > 0
	})
	v, s := r.Viewers[0], streamOf(r, "high")
	if v.Transport != "lan" || v.Kind != "live" || v.Quality != "high" || !strings.HasPrefix(v.Who, "127.0.0.1:") ||
		!strings.Contains(v.Request, "quality=high") || v.Bytes <= 0 || v.Since.IsZero() || v.Since.After(r.Time) {
		t.Errorf("viewer %+v", v)
	}
	if s.Width != 640 || s.Height != 360 || s.Subscribers != 1 || s.Bitrate <= 0 || s.Frames == 0 {
		t.Errorf("high stream %+v", s)
	}
	if st := streamOf(r, "standard"); st.State != protocol.StreamIdle {
		t.Errorf("standard stream without viewers: %+v", st)
	}

	code, body := d.get(t, "metrics")
	if code != http.StatusOK {
		t.Fatalf("metrics: %d", code)
	}
	for _, want := range []string{`p2pcam_sent_bytes_total{transport="lan",kind="live"} `, `p2pcam_stream_bitrate_bps{quality="high"} `, `p2pcam_stream_video_bytes_total{quality="high"} `} {
		if !strings.Contains(body, want) || strings.Contains(body, want+"0\n") {
			t.Errorf("metrics lack a non-zero %q", want)
		}
	}

	viewer.Body.Close()
	waitStatus(t, d, "no viewers", func(r protocol.Report) bool { return len(r.Viewers) == 0 })
	if code, index := d.get(t, ""); code != http.StatusOK || !strings.Contains(index, protocol.StatusRequest) {
		t.Errorf("the index page does not list the status request: %d\n%s", code, index)
	}
}

// A stream whose source cannot capture is unavailable, and says why.
func TestStatusUnavailableStream(t *testing.T) {
	d := startDaemon(t, "[streams]\nhigh = \"file:/nonexistent/clip.h264\"\n")
	s := streamOf(status(t, d), "high")
	if s.State != protocol.StreamUnavailable || !strings.Contains(s.Error, "no such file") {
		t.Errorf("stream %+v, want unavailable: no such file", s)
	}
}

// A talker shows in the status: talkback talking, and a voice viewer
// with the bytes it sent.
func TestStatusTalkback(t *testing.T) {
	d := startDaemon(t, "")
	if tb := status(t, d).Talkback; tb.State != protocol.TalkbackIdle {
		t.Fatalf("talkback before a talker: %+v", tb)
	}
	pr, pw := io.Pipe()
	defer pw.Close()
	client := &http.Client{Timeout: 30 * time.Second}
	answered := make(chan error, 1)
	go func() {
		resp, err := client.Post(d.url("voice?channel=0"), "video/x-flv", pr)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		answered <- err
	}()
	talk := g711Talk(t, 2)
	if _, err := pw.Write(talk[:len(talk)/4]); err != nil { // half a second; the body stays open
		t.Fatal(err)
	}
	r := waitStatus(t, d, "a talker", func(r protocol.Report) bool {
		return r.Talkback.State == protocol.TalkbackTalking && len(r.Viewers) == 1 && r.Viewers[0].Bytes > 0
	})
	if v := r.Viewers[0]; v.Kind != "voice" || v.Transport != "lan" || r.Talkback.Who != v.Who || r.Talkback.Since.IsZero() {
		t.Errorf("talker %+v, talkback %+v", v, r.Talkback)
	}
	pw.Close()
	if err := <-answered; err != nil {
		t.Fatal(err)
	}
	waitStatus(t, d, "talkback idle again", func(r protocol.Report) bool {
		return r.Talkback.State == protocol.TalkbackIdle && len(r.Viewers) == 0
	})
}

// A camera whose broker cannot be reached says so in its status, with
// the reason, while LAN mode serves on.
func TestStatusBrokerDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	broker := "mqtt://" + ln.Addr().String()
	ln.Close() // nothing listens there now
	pub, issuer, _ := ed25519.GenerateKey(rand.Reader)
	d := startDaemon(t, fmt.Sprintf("device = \"acme/door\"\n[auth]\ntrusted_keys = [%q]\ndevice_key = %q\n[p2p]\nbroker = %q\npassword = \"pw\"\n",
		auth.MarshalPublicKey(pub), filepath.Join(t.TempDir(), "device.key"), broker))
	now := time.Now()
	tok, err := auth.Sign(issuer, auth.Claims{Device: "acme/door", Subject: "ops", Perms: auth.PermCommand, IssuedAt: now, Expiry: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		code, body := d.get(t, protocol.StatusRequest+"&token="+tok)
		r, err := protocol.DecodeReport([]byte(body))
		if code != http.StatusOK || err != nil {
			t.Fatalf("status: %d %v %s", code, err, body)
		}
		b := r.Broker
		if b.Failures > 0 {
			if !b.Enabled || b.Connected || b.URL != broker || !strings.Contains(b.LastError, "connection refused") || b.LastErrorAt.IsZero() {
				t.Errorf("broker %+v, want down: connection refused", b)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no failed attempt in the status within 20 s: %+v", b)
		}
		time.Sleep(200 * time.Millisecond) // polling a condition, bounded by the deadline
	}
	code, body := d.get(t, "metrics?token="+tok)
	if code != http.StatusOK || !strings.Contains(body, "p2pcam_broker_connected 0\n") || strings.Contains(body, "p2pcam_broker_connect_failures_total 0\n") {
		t.Errorf("metrics: %d, want broker down with failures:\n%s", code, body)
	}
}
