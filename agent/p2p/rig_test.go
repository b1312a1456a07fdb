package p2p_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eclipse/paho.golang/paho"
	"github.com/pion/webrtc/v4"
	"golang.org/x/crypto/bcrypt"

	"github.com/p2pcam/p2pcam/agent/p2p"
	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/cloud"
	"github.com/p2pcam/p2pcam/internal/brokertest"
	"github.com/p2pcam/p2pcam/internal/syncbuf"
	"github.com/p2pcam/p2pcam/link"
	"github.com/p2pcam/p2pcam/protocol"
	"github.com/p2pcam/p2pcam/signal"
	"github.com/p2pcam/p2pcam/signal/mqttclient"
	"github.com/p2pcam/p2pcam/viewer"
)

// The test camera and the viewers' broker accounts (password "pw-NAME").
// mallory holds a valid token too: she is the abuser.
const testDevice = "test/cam1"

var testViewers = []string{"alice", "bob", "mallory"}

func password(name string) string { return "pw-" + strings.ReplaceAll(name, "/", "-") }

// broker is a kind of broker the tests run against.
type broker struct {
	name    string
	start   func(t testing.TB) string
	vouches bool // stamps senders: the camera sets BrokerVouches
}

// brokers are the two brokers every test here runs against: the dev
// cloud's embedded one and a real mosquitto, both with the topic ACLs.
// The embedded one vouches for senders (signal.SenderProperty).
var brokers = []broker{
	{"embedded", startCloudBroker, true},
	{"mosquitto", startMosquitto, false},
}

// testUsers are the broker accounts, hashed at bcrypt's lowest cost.
func testUsers(t testing.TB) []cloud.User {
	hash := func(pw string) string {
		h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		return string(h)
	}
	users := []cloud.User{{Name: testDevice, Role: cloud.RoleDevice, PasswordHash: hash(password(testDevice))}}
	for _, v := range testViewers {
		users = append(users, cloud.User{Name: v, Role: cloud.RoleViewer, PasswordHash: hash(password(v))})
	}
	return users
}

func startCloudBroker(t testing.TB) string {
	b, err := cloud.NewBroker(cloud.BrokerConfig{Listen: "127.0.0.1:0", Users: testUsers(t), Logger: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return "mqtt://" + b.Addr().String()
}

func startMosquitto(t testing.TB) string {
	accounts := []brokertest.Account{{Name: testDevice, Password: password(testDevice)}}
	for _, v := range testViewers {
		accounts = append(accounts, brokertest.Account{Name: v, Password: password(v)})
	}
	return "mqtt://" + brokertest.Mosquitto(t, accounts, cloud.MosquittoACL(testUsers(t)))
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// camera is a P2P server run for a test, and what viewers need to reach
// it.
type camera struct {
	srv    *p2p.Server
	broker string
	device signal.DeviceID
	issuer ed25519.PrivateKey
	logs   *syncbuf.Buffer
	stop   func() // stops the server and waits for it; the test's end does too
}

// startCamera runs a P2P server on broker until the test ends. Its
// handler answers "ipc.flv" with a stream of 4 KiB chunks, 50 a second,
// until the viewer closes it. edit changes the config.
func startCamera(t testing.TB, broker string, edit func(*p2p.Config)) *camera {
	pub, issuer, _ := ed25519.GenerateKey(rand.Reader)
	_, devKey, _ := ed25519.GenerateKey(rand.Reader)
	dev, _ := signal.ParseDeviceID(testDevice)
	logs := &syncbuf.Buffer{}
	var logw io.Writer = logs
	if testing.Verbose() {
		logw = io.MultiWriter(logs, os.Stderr)
	}
	cfg := p2p.Config{
		Device:    dev,
		Broker:    broker,
		Password:  password(testDevice),
		Verifier:  &auth.Verifier{Keys: []ed25519.PublicKey{pub}, Device: dev.String()},
		DeviceKey: devKey,
		Handle:    serveChunks,
		Link:      link.Options{LoopbackOnly: true},
		Logger:    slog.New(slog.NewTextHandler(logw, nil)),
	}
	if edit != nil {
		edit(&cfg)
	}
	srv, err := p2p.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Error(err)
			}
		})
	}
	t.Cleanup(stop)
	return &camera{srv: srv, broker: broker, device: dev, issuer: issuer, logs: logs, stop: stop}
}

// upCamera starts a camera on a new broker of kind b (edit changes its
// config), and returns once user has played from it: the camera is up
// and its first session's costs are paid. ctx bounds the test's steps.
func upCamera(ctx context.Context, t *testing.T, b broker, edit func(*p2p.Config), user string, n int) *camera {
	cam := startCamera(t, b.start(t), func(c *p2p.Config) {
		c.BrokerVouches = b.vouches
		if edit != nil {
			edit(c)
		}
	})
	if _, _, err := cam.play(ctx, user, n); err != nil {
		t.Fatalf("%s before the test: %v", user, err)
	}
	return cam
}

// serveChunks is the test camera's handler.
func serveChunks(ctx context.Context, v protocol.Viewer, line string, w p2p.Responder) {
	if !strings.HasPrefix(line, "ipc.flv?") {
		_ = w.WriteHead(protocol.StatusBadRequest, protocol.Head{})
		return
	}
	if err := w.WriteHead(protocol.StatusOK, protocol.Head{ContentType: "video/x-flv"}); err != nil {
		return
	}
	chunk := bytes.Repeat([]byte{0x5a}, 4<<10)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if _, err := w.Write(chunk); err != nil || w.Flush() != nil {
			return
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return
		}
	}
}

// dial connects user through the viewer SDK, waiting for the camera to
// register first.
func (c *camera) dial(ctx context.Context, user string) (*viewer.Conn, error) {
	for {
		conn, err := viewer.Dial(ctx, viewer.Config{
			Broker: c.broker, Username: user, Password: password(user), Device: c.device,
			Token: c.tokenFor(user), Link: link.Options{LoopbackOnly: true}, Logger: quietLog(),
		})
		if !errors.Is(err, viewer.ErrOffline) || ctx.Err() != nil {
			return conn, err
		}
		select {
		case <-time.After(100 * time.Millisecond):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// tokenFor signs a token for subject with every permission.
func (c *camera) tokenFor(subject string) string {
	now := time.Now()
	tok, _ := auth.Sign(c.issuer, auth.Claims{Device: c.device.String(), Subject: subject, Perms: auth.PermAll, IssuedAt: now, Expiry: now.Add(time.Hour)})
	return tok
}

// play connects user and reads n bytes of a live stream, within ctx. It
// returns how long the connection and the first bytes took.
func (c *camera) play(ctx context.Context, user string, n int) (connect, first time.Duration, err error) {
	start := time.Now()
	conn, err := c.dial(ctx, user)
	if err != nil {
		return 0, 0, err
	}
	defer conn.Close()
	connect = time.Since(start)
	resp, err := conn.Request(ctx, "ipc.flv?action=live&channel=0&quality=standard")
	if err != nil {
		return connect, 0, err
	}
	defer resp.Body.Close()
	if resp.Status != protocol.StatusOK {
		return connect, 0, errors.New("status " + strconv.Itoa(int(resp.Status)))
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(resp.Body, buf[:1]); err != nil {
		return connect, 0, err
	}
	first = time.Since(start)
	_, err = io.ReadFull(resp.Body, buf[1:])
	return connect, first, err
}

// mqttUser is a bare MQTT client of a viewer account: it publishes what
// a test makes up and keeps what arrives in its inbox.
type mqttUser struct {
	name string
	c    *mqttclient.Client
	mu   sync.Mutex // guards got
	got  []*signal.Message
	new  chan struct{} // signalled on each message
}

// connectUser connects user (client id USER:suffix) and subscribes to
// its inbox.
func connectUser(t testing.TB, broker, user, suffix string) *mqttUser {
	u := &mqttUser{name: user, new: make(chan struct{}, 1)}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	subscribed := make(chan error, 1)
	c, err := mqttclient.Connect(ctx, mqttclient.Config{
		URL: broker, ClientID: signal.ViewerClientID(user, suffix), Username: user, Password: password(user), FailFast: true,
		OnUp: func(ctx context.Context, c *mqttclient.Client) {
			select {
			case subscribed <- c.Subscribe(ctx, signal.InboxTopic(user)):
			default:
			}
		},
		OnMessage: func(p *paho.Publish) {
			m, err := signal.Decode(p.Payload)
			if err != nil {
				return
			}
			u.mu.Lock()
			u.got = append(u.got, m)
			u.mu.Unlock()
			select {
			case u.new <- struct{}{}:
			default:
			}
		},
		Logger: quietLog(),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	select {
	case err := <-subscribed:
		if err != nil {
			t.Fatal(err)
		}
	case <-ctx.Done():
		t.Fatal("no subscription to the inbox")
	}
	u.c = c
	return u
}

// send publishes m to the camera's rpc topic naming inbox as the
// response topic.
func (u *mqttUser) send(ctx context.Context, dev signal.DeviceID, m *signal.Message, inbox string) error {
	b, err := m.Encode()
	if err != nil {
		return err
	}
	return u.sendRaw(ctx, dev, b, inbox, []byte(m.Session))
}

func (u *mqttUser) sendRaw(ctx context.Context, dev signal.DeviceID, payload []byte, inbox string, corr []byte) error {
	return u.sendAs(ctx, dev, payload, inbox, corr, "")
}

// sendAs is sendRaw with a sender property (signal.SenderProperty) of
// the test's making, unless sender is "".
func (u *mqttUser) sendAs(ctx context.Context, dev signal.DeviceID, payload []byte, inbox string, corr []byte, sender string) error {
	props := &paho.PublishProperties{ResponseTopic: inbox, CorrelationData: corr}
	if sender != "" {
		props.User = paho.UserProperties{{Key: signal.SenderProperty, Value: sender}}
	}
	return u.c.Publish(ctx, &paho.Publish{Topic: dev.RPCTopic(), Payload: payload, Properties: props})
}

// received returns the messages that arrived so far.
func (u *mqttUser) received() []*signal.Message {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]*signal.Message(nil), u.got...)
}

// await waits until ok holds for what arrived, or d passes.
func (u *mqttUser) await(d time.Duration, ok func([]*signal.Message) bool) bool {
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	for {
		if ok(u.received()) {
			return true
		}
		select {
		case <-u.new:
		case <-deadline.C:
			return ok(u.received())
		}
	}
}

// count returns how many of msgs are of type typ (and status, if not 0).
func count(msgs []*signal.Message, typ signal.Type, status protocol.Status) int {
	n := 0
	for _, m := range msgs {
		if m.Type == typ && (status == 0 || m.Status == int(status)) {
			n++
		}
	}
	return n
}

// realOffer returns the SDP of a real offer (a data channel, as viewers
// make it) from a peer connection that is closed at once: ICE with it
// never completes.
func realOffer(t testing.TB) string {
	pc, err := link.NewAPI(link.Options{LoopbackOnly: true}).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	if _, err := pc.CreateDataChannel(p2p.KeepaliveLabel, nil); err != nil {
		t.Fatal(err)
	}
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	return offer.SDP
}

// sessionID returns a fresh session id.
func sessionID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 24)
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

// logLines returns the lines of logs that contain s.
func logLines(logs *syncbuf.Buffer, s string) []string {
	var out []string
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, s) {
			out = append(out, line)
		}
	}
	return out
}

// procStat returns this process's open file descriptors and resident
// memory in bytes.
func procStat(t testing.TB) (fds int, rss int64) {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd:", err)
	}
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status:", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			rss = kb << 10
		}
	}
	return len(ents), rss
}
