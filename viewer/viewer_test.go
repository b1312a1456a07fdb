package viewer_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/agent"
	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/internal/brokertest"
	"github.com/p2pcam/p2pcam/internal/mediatest"
	"github.com/p2pcam/p2pcam/link"
	"github.com/p2pcam/p2pcam/protocol"
	"github.com/p2pcam/p2pcam/signal"
	"github.com/p2pcam/p2pcam/viewer"
)

// rig is a camera on the sim board in P2P mode, and what a viewer needs
// to reach it.
type rig struct {
	broker         string
	viewerPassword string
	issuer         ed25519.PrivateKey
	device         signal.DeviceID
	agent          *agent.Agent
	stop           func() // stops the camera; the test's end does too
}

// The accounts of the test camera and viewer.
const (
	testDevice     = "test/cam1"
	testDevicePass = "pw-cam1"
	testViewer     = "alice"
	testViewerPass = "pw-alice"
)

func startCamera(t *testing.T) *rig {
	return startCameraOn(t, brokertest.AllowAll(t))
}

// startCameraOn runs the camera against the broker at URL broker, where
// the test accounts exist.
func startCameraOn(t *testing.T, broker string) *rig {
	return startCameraWith(t, broker, agent.AudioConfig{})
}

// startCameraWith runs the camera with the given audio config.
func startCameraWith(t *testing.T, broker string, audio agent.AudioConfig) *rig {
	return startCameraLink(t, broker, audio, link.Options{LoopbackOnly: true})
}

// startCameraLink runs the camera with the given audio and WebRTC
// options.
func startCameraLink(t *testing.T, broker string, audio agent.AudioConfig, lo link.Options) *rig {
	return startCameraConfig(t, broker, func(c *agent.Config) { c.Audio, c.Link = audio, lo })
}

// startCameraConfig runs the camera with the test's config, changed by
// edit.
func startCameraConfig(t testing.TB, broker string, edit func(*agent.Config)) *rig {
	pub, issuer, _ := ed25519.GenerateKey(rand.Reader)
	dev, _ := signal.ParseDeviceID(testDevice)
	cfg := agent.Config{
		Device: dev.String(),
		Auth:   agent.AuthConfig{TrustedKeys: []string{auth.MarshalPublicKey(pub)}, DeviceKey: filepath.Join(t.TempDir(), "device.key")},
		P2P:    agent.P2PConfig{Broker: broker, Password: testDevicePass},
		LAN:    agent.LANConfig{Listen: "off"},
		Link:   link.Options{LoopbackOnly: true},
		Logger: testLogger(),
	}
	edit(&cfg)
	a, stop := runAgent(t, cfg)
	return &rig{broker: broker, viewerPassword: testViewerPass, issuer: issuer, device: dev, agent: a, stop: stop}
}

// runAgent runs a camera with cfg until stop or the end of the test.
func runAgent(t testing.TB, cfg agent.Config) (a *agent.Agent, stop func()) {
	a, err := agent.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	stop = sync.OnceFunc(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	t.Cleanup(stop)
	return a, stop
}

// testLogger logs with -v only.
func testLogger() *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func (r *rig) token(t testing.TB, perms auth.Permission) string {
	now := time.Now()
	tok, err := auth.Sign(r.issuer, auth.Claims{Issuer: "test", Device: r.device.String(), Subject: "alice", Perms: perms, IssuedAt: now, Expiry: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func (r *rig) dial(t testing.TB, token string) (*viewer.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var err error
	for range 50 { // the camera registers shortly after it starts
		var c *viewer.Conn
		c, err = viewer.Dial(ctx, viewer.Config{
			Broker: r.broker, Username: testViewer, Password: r.viewerPassword, Device: r.device, Token: token,
			Link: link.Options{LoopbackOnly: true},
		})
		if !errors.Is(err, viewer.ErrOffline) {
			return c, err
		}
		time.Sleep(100 * time.Millisecond)
	}
	return nil, err
}

func TestLiveOverP2P(t *testing.T) {
	r := startCamera(t)
	start := time.Now()
	c, err := r.dial(t, r.token(t, auth.PermLive|auth.PermCommand))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	p, err := c.Path()
	if err != nil || p.Kind() != "host" {
		t.Fatalf("path %+v, %v; want a host path on loopback", p, err)
	}
	t.Logf("connected in %v", time.Since(start))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := c.Request(ctx, "ipc.flv?action=live&channel=0&quality=standard")
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != protocol.StatusOK || resp.Head.ContentType != "video/x-flv" {
		t.Fatalf("answer %d %+v", resp.Status, resp.Head)
	}
	// A command on the same session while the stream runs.
	cmd, err := c.Request(ctx, "command?action=inner_define&channel=0&cmd=get_device_st&type=live")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(cmd.Body)
	if cmd.Status != protocol.StatusOK || string(body) != `[{"status":"0","appConnectNum":"1"}]`+"\n" {
		t.Errorf("command answer %d %q", cmd.Status, body)
	}
	flv := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(resp.Body)
		flv <- b
	}()
	time.Sleep(3 * time.Second)
	resp.Body.Close()
	b := <-flv
	path := mediatest.WriteTemp(t, "p2p.flv", b)
	probe := mediatest.FFprobe(t, path)
	v := probe.Video(t)
	if v.Width != 320 || v.Height != 180 || len(probe.VideoPackets()) < 50 {
		t.Errorf("video %dx%d, %d frames", v.Width, v.Height, len(probe.VideoPackets()))
	}
}

func TestRefusedWithoutPermission(t *testing.T) {
	r := startCamera(t)
	c, err := r.dial(t, r.token(t, auth.PermCommand))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := c.Request(ctx, "ipc.flv?action=live&channel=0&quality=standard")
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != protocol.StatusForbidden {
		t.Errorf("status %d, want 403", resp.Status)
	}
}

func TestRefusedBadToken(t *testing.T) {
	r := startCamera(t)
	_, otherIssuer, _ := ed25519.GenerateKey(rand.Reader)
	bad := *r
	bad.issuer = otherIssuer
	_, err := r.dial(t, bad.token(t, auth.PermAll))
	if !errors.Is(err, viewer.ErrRefused) {
		t.Fatalf("Dial err = %v, want ErrRefused", err)
	}
}

// A session tells why it ended: the camera closed it, or the viewer did.
func TestConnErr(t *testing.T) {
	r := startCamera(t)
	mine, err := r.dial(t, r.token(t, auth.PermLive))
	if err != nil {
		t.Fatal(err)
	}
	mine.Close()
	if err := mine.Err(); err != nil {
		t.Errorf("after Close: Err = %v, want nil", err)
	}
	c, err := r.dial(t, r.token(t, auth.PermLive))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Err(); err != nil {
		t.Fatalf("while up: Err = %v", err)
	}
	// A request first: the session's SCTP association is up at both
	// ends (just after Dial, the camera's may not be yet, and a close
	// then sends the viewer nothing: ICE notices, ErrConnectionLost).
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := c.Request(ctx, "command?action=inner_define&channel=0&cmd=get_device_st&type=live")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.ReadAll(resp.Body)
	r.stop()
	select {
	case <-c.Done():
	case <-time.After(20 * time.Second):
		t.Fatal("the session did not end after the camera stopped")
	}
	if err := c.Err(); !errors.Is(err, viewer.ErrCameraClosed) {
		t.Errorf("after the camera stopped: Err = %v, want ErrCameraClosed", err)
	}
}
