package viewer_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"net"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eclipse/paho.golang/paho"
	"golang.org/x/crypto/bcrypt"

	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/cloud"
	"github.com/p2pcam/p2pcam/internal/brokertest"
	"github.com/p2pcam/p2pcam/internal/mediatest"
	"github.com/p2pcam/p2pcam/protocol"
	"github.com/p2pcam/p2pcam/signal"
	"github.com/p2pcam/p2pcam/signal/mqttclient"
	"github.com/p2pcam/p2pcam/viewer"
)

// testUsers are the camera's and the viewer's broker accounts, hashed at
// bcrypt's lowest cost: the race detector makes the default cost take
// seconds a login.
func testUsers(t *testing.T) []cloud.User {
	return []cloud.User{
		{Name: testDevice, Role: cloud.RoleDevice, PasswordHash: hashPassword(t, testDevicePass)},
		{Name: testViewer, Role: cloud.RoleViewer, PasswordHash: hashPassword(t, testViewerPass)},
	}
}

// hashPassword hashes pw at bcrypt's lowest cost (see testUsers).
func hashPassword(t *testing.T, pw string) string {
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return string(h)
}

// startCloudBroker runs the dev cloud's broker, with its ACLs, at addr
// ("127.0.0.1:0" for any port) and returns it.
func startCloudBroker(t *testing.T, addr string) *cloud.Broker {
	return startCloudBrokerWith(t, cloud.BrokerConfig{Listen: addr, Users: testUsers(t)})
}

// startCloudBrokerWith runs the dev cloud's broker with cfg, quiet.
func startCloudBrokerWith(t *testing.T, cfg cloud.BrokerConfig) *cloud.Broker {
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	b, err := cloud.NewBroker(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b
}

// testBroker starts a broker where the test accounts exist and returns
// its URL.
type testBroker struct {
	name  string
	start func(t *testing.T) string
}

// bothBrokers returns the dev cloud's broker and a real mosquitto, both
// enforcing the topic ACLs with password logins.
func bothBrokers() []testBroker {
	return []testBroker{
		{"embedded", func(t *testing.T) string {
			return "mqtt://" + startCloudBroker(t, "127.0.0.1:0").Addr().String()
		}},
		{"mosquitto", func(t *testing.T) string {
			acl := cloud.MosquittoACL(testUsers(t))
			return "mqtt://" + brokertest.Mosquitto(t, []brokertest.Account{
				{Name: testDevice, Password: testDevicePass}, {Name: testViewer, Password: testViewerPass},
			}, acl)
		}},
	}
}

// The same P2P session through the dev cloud's broker and through a real
// mosquitto.
func TestLiveThroughBrokers(t *testing.T) {
	for _, b := range bothBrokers() {
		t.Run(b.name, func(t *testing.T) {
			r := startCameraOn(t, b.start(t))
			c, err := r.dial(t, r.token(t, auth.PermLive))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			flv := watch(t, c, "standard", 2*time.Second)
			p := mediatest.FFprobe(t, mediatest.WriteTemp(t, "live.flv", flv))
			if v := p.Video(t); v.Width != 320 || len(p.VideoPackets()) < 30 {
				t.Errorf("video %dx%d, %d frames", v.Width, v.Height, len(p.VideoPackets()))
			}
		})
	}
}

// watch reads a live stream for d.
func watch(t *testing.T, c *viewer.Conn, quality string, d time.Duration) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d+10*time.Second)
	defer cancel()
	resp, err := c.Request(ctx, "ipc.flv?action=live&channel=0&quality="+quality)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != protocol.StatusOK {
		t.Fatalf("status %d", resp.Status)
	}
	got := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(resp.Body)
		got <- b
	}()
	time.Sleep(d)
	resp.Body.Close()
	return <-got
}

// brokerAt is a dev broker that can be stopped and started again on one
// address.
type brokerAt struct {
	t    *testing.T
	addr string
	b    *cloud.Broker
}

func (ba *brokerAt) start() {
	ba.b = startCloudBroker(ba.t, ba.addr)
}

// A broker restart does not touch a running P2P stream, and the camera
// registers again within 5 s of the broker's return.
func TestBrokerRestartMidStream(t *testing.T) {
	ba := &brokerAt{t: t, addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(brokertest.FreeTCPPort(t)))}
	ba.start()
	r := startCameraOn(t, "mqtt://"+ba.addr)
	c, err := r.dial(t, r.token(t, auth.PermLive))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := c.Request(ctx, "ipc.flv?action=live&channel=0&quality=standard")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var received atomic.Int64
	counted := make(chan struct{})
	go func() {
		defer close(counted)
		buf := make([]byte, 32<<10)
		for {
			n, err := resp.Body.Read(buf)
			if n > 0 {
				received.Add(int64(n))
			}
			if err != nil {
				return
			}
		}
	}()
	time.Sleep(time.Second)
	_ = ba.b.Close()
	before := received.Load()
	time.Sleep(2 * time.Second)
	during := received.Load() - before
	if during == 0 {
		t.Error("the stream stopped while the broker was down")
	}
	back := time.Now()
	ba.start()
	// The camera's retained info reappears once it has registered again:
	// the restarted broker kept nothing.
	if err := awaitOnline(ctx, "mqtt://"+ba.addr, r.device); err != nil {
		t.Fatal(err)
	}
	took := time.Since(back)
	t.Logf("stream carried %d bytes while the broker was down; camera registered again %v after the broker's return", during, took.Round(time.Millisecond))
	if took > 5*time.Second {
		t.Errorf("camera took %v to register again, want at most 5s", took)
	}
	// And a new viewer can reach it.
	c2, err := r.dial(t, r.token(t, auth.PermLive))
	if err != nil {
		t.Fatal(err)
	}
	c2.Close()
	resp.Body.Close()
	<-counted
}

// awaitOnline waits for the device's retained info to say it is online.
func awaitOnline(ctx context.Context, broker string, dev signal.DeviceID) error {
	online := make(chan struct{}, 1)
	mc, err := mqttclient.Connect(ctx, mqttclient.Config{
		URL: broker, ClientID: signal.ViewerClientID(testViewer, "monitor"), Username: testViewer, Password: testViewerPass,
		OnUp: func(ctx context.Context, c *mqttclient.Client) { _ = c.Subscribe(ctx, dev.InfoTopic()) },
		OnMessage: func(p *paho.Publish) {
			if info, err := signal.DecodeDeviceInfo(p.Payload); err == nil && info.Online {
				select {
				case online <- struct{}{}:
				default:
				}
			}
		},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		return err
	}
	defer mc.Close()
	select {
	case <-online:
		return nil
	case <-ctx.Done():
		return errors.New("camera never registered again")
	}
}

// Each way a token can be bad is refused before any session starts.
func TestTokenRefusals(t *testing.T) {
	r := startCamera(t)
	_, stranger, _ := ed25519.GenerateKey(rand.Reader)
	now := time.Now()
	sign := func(key ed25519.PrivateKey, c auth.Claims) string {
		tok, err := auth.Sign(key, c)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	good := auth.Claims{Device: r.device.String(), Subject: "alice", Perms: auth.PermAll, IssuedAt: now, Expiry: now.Add(time.Hour)}
	expired, wrongDevice, future := good, good, good
	expired.IssuedAt, expired.Expiry = now.Add(-2*time.Hour), now.Add(-time.Hour)
	wrongDevice.Device = "test/other"
	future.NotBefore, future.Expiry = now.Add(time.Hour), now.Add(2*time.Hour)
	tests := []struct {
		name, token string
	}{
		{"expired", sign(r.issuer, expired)},
		{"untrusted issuer", sign(stranger, good)},
		{"wrong device", sign(r.issuer, wrongDevice)},
		{"not yet valid", sign(r.issuer, future)},
		{"garbage", "p2pcam1.garbage.garbage"},
		{"tampered", tamper(sign(r.issuer, good))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := r.dial(t, tt.token)
			if err == nil {
				c.Close()
				t.Fatal("the camera took a bad token")
			}
			if !errors.Is(err, viewer.ErrRefused) {
				t.Fatalf("err = %v, want ErrRefused", err)
			}
		})
	}
}

// tamper flips a character of a token's payload.
func tamper(tok string) string {
	b := []byte(tok)
	i := len("p2pcam1.") + 5
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

// A viewer that pins the camera's key refuses an answer signed by any
// other key: a broker, or anyone on it, cannot stand in for the camera.
func TestAnswerFromAnotherKeyIsRefused(t *testing.T) {
	r := startCamera(t)
	other, _, _ := ed25519.GenerateKey(rand.Reader)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var err error
	for range 50 {
		var c *viewer.Conn
		c, err = viewer.Dial(ctx, viewer.Config{
			Broker: r.broker, Username: testViewer, Password: r.viewerPassword, Device: r.device,
			Token: r.token(t, auth.PermLive), DeviceKey: other,
		})
		if c != nil {
			c.Close()
		}
		if !errors.Is(err, viewer.ErrOffline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !errors.Is(err, viewer.ErrBadKey) {
		t.Fatalf("err = %v, want ErrBadKey", err)
	}
}
